// Figure 4: the ToolHost's fs/read_text_file, fs/write_text_file and terminal/create + wait_for_exit, as the agent sees them.
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { bridged } from "../commands.js";
import { type BenchCase, type BenchContext, interleave } from "../context.js";
import { BenchError, describeFailure } from "../peer.js";
import { timeCommand } from "../raw.js";
import { notAvailable, type Row } from "../result.js";
import { closeSession, type OpenSession, openSession } from "../session.js";
import { median, p50, p99 } from "../stats.js";

export const READ_FILE = "bench-read-100k.txt";
export const WRITE_FILE = "bench-write-100k.txt";
export const FILE_BYTES = 100 * 1024;

/** 100 KB of text lines. */
export function fileContent(): string {
  const line = "the quick brown fox jumps over the lazy dog 0123456789\n";
  return line.repeat(Math.ceil(FILE_BYTES / line.length)).slice(0, FILE_BYTES);
}

interface Operation {
  readonly name: string;
  readonly baselineLabel: string;
  /** `count` timed baseline operations, in ms each. */
  baseline(context: BenchContext, count: number): Promise<number[]>;
  /** The scripted-agent step that times `count` of them through the bridge. */
  step(count: number): Record<string, unknown>;
}

async function timeEach(count: number, once: () => Promise<unknown>): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await once();
    ms.push(performance.now() - start);
  }
  return ms;
}

const content = fileContent();

const OPERATIONS: readonly Operation[] = [
  {
    name: "fs/read_text_file (100 KB)",
    baselineLabel: "readFile in Node",
    baseline: (context, count) => timeEach(count, () => readFile(path.join(context.workspace, READ_FILE), "utf8")),
    step: (count) => ({ op: "time-requests", method: "fs/read_text_file", params: { path: `\${cwd}/${READ_FILE}` }, count }),
  },
  {
    name: "fs/write_text_file (100 KB)",
    baselineLabel: "writeFile in Node",
    baseline: (context, count) => timeEach(count, () => writeFile(path.join(context.workspace, WRITE_FILE), content)),
    step: (count) => ({ op: "time-requests", method: "fs/write_text_file", params: { path: `\${cwd}/${WRITE_FILE}`, content }, count }),
  },
  {
    name: "terminal/create + wait_for_exit of `true`",
    baselineLabel: "spawning `true`",
    baseline: (_context, count) => timeEach(count, () => timeCommand(["true"])),
    step: (count) => ({ op: "time-terminal", command: "true", count }),
  },
];

/** Runs one timing step in the agent; its per-operation ms, or why it failed. */
async function throughBridge(session: OpenSession, step: Record<string, unknown>): Promise<number[]> {
  const { peer, sessionId } = session;
  const before = peer.results.length;
  const reachedBefore = peer.reachedClient.length;
  await peer.prompt(sessionId, [step]);
  const result = peer.results.slice(before).find((r) => r.op === step["op"])?.result;
  const reached = peer.reachedClient.slice(reachedBefore);
  if (reached.length > 0) throw new BenchError(`the bridge forwarded ${reached[0]} to the editor: no ToolHost in this build`);
  if (!result) throw new BenchError("the agent reported no result");
  if (result.error) throw new BenchError(`the agent got an error: ${result.error.message}`);
  return (result.ok as { ms: number[] }).ms;
}

export const toolhost: BenchCase = {
  id: "toolhost",
  title: "ToolHost",
  async run(context: BenchContext): Promise<Row[]> {
    const rows: Row[] = [];
    let session: OpenSession | undefined;
    try {
      session = await openSession(bridged("local", context.workspace), context);
    } catch (error) {
      return OPERATIONS.flatMap((op) => figures(op).map((figure) => notAvailable(figure, describeFailure(error))));
    }
    try {
      for (const op of OPERATIONS) {
        const count = op.name.startsWith("terminal") ? (context.quick ? 30 : 100) : context.quick ? 100 : 300;
        try {
          const open = session;
          await throughBridge(open, op.step(Math.min(count, 20)));
          await op.baseline(context, Math.min(count, 20));
          context.progress(`${op.name}: ${context.runs} runs of ${count} operations each side`);
          const askedBefore = open.peer.permissionsAsked;
          const runs = await interleave(context.runs, () => op.baseline(context, count), () => throughBridge(open, op.step(count)));
          figures(op).forEach((figure, i) => {
            const statistic = i === 0 ? p50 : p99;
            const samples = { baseline: runs.baseline.map(statistic), bridge: runs.bridge.map(statistic) };
            const asked = open.peer.permissionsAsked - askedBefore;
            const note = `${count} operations a run, timed by the agent (request → answer)${asked ? `; ${asked} permission prompts answered by the client while timing` : ""}`;
            rows.push({ ...figure, baseline: median(samples.baseline), bridge: median(samples.bridge), samples, ...(i === 0 ? { note } : {}) });
          });
        } catch (error) {
          for (const figure of figures(op)) rows.push(notAvailable(figure, describeFailure(error)));
        }
      }
    } finally {
      await closeSession(session, context, "toolhost");
    }
    return rows;
  },
};

function figures(op: Operation) {
  const base = { case: "toolhost", unit: "ms", baselineLabel: op.baselineLabel, comparison: "added" } as const;
  return [
    { ...base, figure: `${op.name} p50` },
    { ...base, figure: `${op.name} p99` },
  ];
}
