// Figure 1: session/update notifications per second reaching the client, through the bridge (local) and directly.
import { bridged, directAgent } from "../commands.js";
import { cpuMs } from "../cpu.js";
import { type BenchCase, type BenchContext, interleave } from "../context.js";
import { describeFailure } from "../peer.js";
import { median } from "../stats.js";
import { notAvailable, type Row } from "../result.js";
import { closeSession, type OpenSession, openSession } from "../session.js";

const TARGET = { bound: "min", value: 0.8, text: "≥ 0.8× direct" } as const;

interface Size {
  readonly label: string;
  readonly bytes: number;
  readonly count: number;
}

function sizes(quick: boolean): Size[] {
  return [
    { label: "100 B", bytes: 100, count: quick ? 4_000 : 40_000 },
    { label: "64 KiB", bytes: 64 * 1024, count: quick ? 200 : 1_500 },
  ];
}

/** The size of one such update on the wire, newline included. */
function lineBytes(textBytes: number): number {
  const update = { sessionUpdate: "agent_message_chunk", content: { type: "text", text: "x".repeat(textBytes) } };
  return JSON.stringify({ jsonrpc: "2.0", method: "session/update", params: { sessionId: "session-1", update } }).length + 1;
}

/** One run: the agent streams `count` updates; messages per second from the prompt to the last update received. */
async function streamOnce(session: OpenSession, size: Size, cpu?: number[]): Promise<number> {
  const { peer, sessionId } = session;
  const target = peer.updates + size.count;
  const cpuBefore = peer.pid === undefined ? undefined : cpuMs(peer.pid);
  const start = performance.now();
  const arrived = peer.untilUpdates(target);
  const turn = peer.prompt(sessionId, [{ op: "updates", count: size.count, size: size.bytes }]);
  await Promise.race([arrived, turn.then(() => arrived)]);
  const seconds = (performance.now() - start) / 1000;
  await turn;
  const cpuAfter = peer.pid === undefined ? undefined : cpuMs(peer.pid);
  if (cpu && cpuBefore !== undefined && cpuAfter !== undefined) cpu.push(cpuAfter - cpuBefore);
  return size.count / seconds;
}

export const throughput: BenchCase = {
  id: "throughput",
  title: "relay throughput",
  async run(context: BenchContext): Promise<Row[]> {
    const rows: Row[] = [];
    let direct: OpenSession | undefined;
    let local: OpenSession | undefined;
    try {
      direct = await openSession(directAgent(), context);
      local = await openSession(bridged("local", context.workspace), context);
      for (const size of sizes(context.quick)) {
        const base = { case: "throughput", figure: `relay throughput, ${size.label} session/update`, unit: "msg/s", baselineLabel: "direct", comparison: "ratio", target: TARGET } as const;
        const warm = { ...size, count: Math.max(1, Math.round(size.count / 5)) };
        await streamOnce(direct, warm);
        await streamOnce(local, warm);
        context.progress(`throughput ${size.label}: ${context.runs} runs of ${size.count} updates each side`);
        const d = direct;
        const l = local;
        const bridgeCpu: number[] = [];
        const samples = await interleave(context.runs, () => streamOnce(d, size), () => streamOnce(l, size, bridgeCpu));
        const bridgeMedian = median(samples.bridge);
        const cpuPerMessage = (median(bridgeCpu) * 1000) / size.count;
        rows.push({
          ...base,
          baseline: median(samples.baseline),
          bridge: bridgeMedian,
          samples,
          note:
            `${size.count} updates a run; the bridge moved ${((bridgeMedian * lineBytes(size.bytes)) / 1e6).toFixed(1)} MB/s of ND-JSON ` +
            `and used ${cpuPerMessage.toFixed(1)} µs of CPU per message (median run)`,
        });
      }
    } catch (error) {
      const reason = describeFailure(error, (error as { peer?: never }).peer);
      for (const size of sizes(context.quick)) {
        if (!rows.some((row) => row.figure.includes(size.label))) {
          rows.push(notAvailable({ case: "throughput", figure: `relay throughput, ${size.label} session/update`, unit: "msg/s", baselineLabel: "direct", comparison: "ratio", target: TARGET }, reason));
        }
      }
    } finally {
      await closeSession(direct, context, "throughput");
      await closeSession(local, context, "throughput");
    }
    return rows;
  },
};
