// Figure 1: session/update notifications per second reaching the client, through the bridge (local) and directly,
// with two clients: the ACP SDK's, and one that only splits lines (as fast as an editor written in Rust).
import { bridged, directAgent, type PeerCommand } from "../commands.js";
import { cpuMs } from "../cpu.js";
import { type BenchCase, type BenchContext, interleave } from "../context.js";
import { describeFailure, Peer } from "../peer.js";
import { firstChild, RawPeer } from "../raw-peer.js";
import { median } from "../stats.js";
import { notAvailable, type Row } from "../result.js";

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

/** What both clients offer the runs: a session that streams updates on demand. */
interface Streamer {
  readonly updates: number;
  readonly pid: number | undefined;
  untilUpdates(count: number): Promise<void>;
  prompt(steps: unknown[]): Promise<unknown>;
  close(): Promise<void>;
}

type ClientKind = "sdk" | "raw";

const CLIENT_LABEL: Record<ClientKind, string> = { sdk: "ACP SDK client", raw: "line-splitting client" };

async function open(kind: ClientKind, command: PeerCommand, context: BenchContext): Promise<Streamer> {
  if (kind === "raw") {
    const peer = new RawPeer(command, { cwd: context.workspace });
    try {
      const sessionId = await peer.open(context.workspace);
      return { get updates() { return peer.updates; }, pid: peer.pid, untilUpdates: (n) => peer.untilUpdates(n), prompt: (steps) => peer.prompt(sessionId, steps), close: () => peer.close() };
    } catch (error) {
      await peer.close(2_000);
      throw new Error(`${describeFailure(error)}; stderr: ${peer.stderrTail()}`);
    }
  }
  const peer = new Peer(command, { cwd: context.workspace, watchMemory: true });
  try {
    await peer.initialize();
    const sessionId = await peer.newSession(context.workspace);
    return {
      get updates() { return peer.updates; },
      pid: peer.pid,
      untilUpdates: (n) => peer.untilUpdates(n),
      prompt: (steps) => peer.prompt(sessionId, steps),
      close: async () => {
        context.rss.record(command.role, "throughput", peer.stopWatch());
        await peer.close();
      },
    };
  } catch (error) {
    await peer.close(2_000);
    throw new Error(describeFailure(error, peer));
  }
}

/** The size of one such update on the wire, newline included. */
function lineBytes(textBytes: number): number {
  const update = { sessionUpdate: "agent_message_chunk", content: { type: "text", text: "x".repeat(textBytes) } };
  return JSON.stringify({ jsonrpc: "2.0", method: "session/update", params: { sessionId: "session-1", update } }).length + 1;
}

interface Cpu {
  /** ms of CPU of the process the client talks to (the bridge, or the agent when direct). */
  readonly front: number[];
  /** ms of CPU of the agent behind the bridge. */
  readonly agent: number[];
}

/** One run: the agent streams `count` updates; messages per second from the prompt to the last update received. */
async function streamOnce(peer: Streamer, size: Size, cpu?: Cpu): Promise<number> {
  const target = peer.updates + size.count;
  const agentPid = peer.pid === undefined ? undefined : firstChild(peer.pid);
  const frontBefore = peer.pid === undefined ? undefined : cpuMs(peer.pid);
  const agentBefore = agentPid === undefined ? undefined : cpuMs(agentPid);
  const start = performance.now();
  const arrived = peer.untilUpdates(target);
  const turn = peer.prompt([{ op: "updates", count: size.count, size: size.bytes }]);
  await Promise.race([arrived, turn.then(() => arrived)]);
  const seconds = (performance.now() - start) / 1000;
  await turn;
  const frontAfter = peer.pid === undefined ? undefined : cpuMs(peer.pid);
  const agentAfter = agentPid === undefined ? undefined : cpuMs(agentPid);
  if (cpu && frontBefore !== undefined && frontAfter !== undefined) cpu.front.push(frontAfter - frontBefore);
  if (cpu && agentBefore !== undefined && agentAfter !== undefined) cpu.agent.push(agentAfter - agentBefore);
  return size.count / seconds;
}

const figureOf = (size: Size, kind: ClientKind): string => `relay throughput, ${size.label} session/update, ${CLIENT_LABEL[kind]}`;

async function runClient(kind: ClientKind, context: BenchContext): Promise<Row[]> {
  const rows: Row[] = [];
  let direct: Streamer | undefined;
  let local: Streamer | undefined;
  const base = (size: Size) => ({ case: "throughput", figure: figureOf(size, kind), unit: "msg/s", baselineLabel: "direct", comparison: "ratio", target: TARGET }) as const;
  try {
    direct = await open(kind, directAgent(), context);
    local = await open(kind, bridged("local", context.workspace), context);
    for (const size of sizes(context.quick)) {
      const warm = { ...size, count: Math.max(1, Math.round(size.count / 5)) };
      await streamOnce(direct, warm);
      await streamOnce(local, warm);
      context.progress(`throughput ${size.label}, ${CLIENT_LABEL[kind]}: ${context.runs} runs of ${size.count} updates each side`);
      const d = direct;
      const l = local;
      const directCpu: Cpu = { front: [], agent: [] };
      const bridgeCpu: Cpu = { front: [], agent: [] };
      const samples = await interleave(context.runs, () => streamOnce(d, size, directCpu), () => streamOnce(l, size, bridgeCpu));
      const bridgeMedian = median(samples.bridge);
      const perMessage = (ms: number[]) => (median(ms) * 1000) / size.count;
      const bridgeUs = perMessage(bridgeCpu.front);
      const agentUs = perMessage(bridgeCpu.agent);
      rows.push({
        ...base(size),
        baseline: median(samples.baseline),
        bridge: bridgeMedian,
        samples,
        note:
          `${size.count} updates a run; the bridge moved ${((bridgeMedian * lineBytes(size.bytes)) / 1e6).toFixed(1)} MB/s of ND-JSON; CPU per message (median run): ` +
          `bridge ${bridgeUs.toFixed(1)} µs, the agent behind it ${agentUs.toFixed(1)} µs (bridge = ${((100 * bridgeUs) / agentUs).toFixed(0)}% of the agent), ` +
          `the agent direct ${perMessage(directCpu.front).toFixed(1)} µs`,
        cpu: { bridgeUsPerMessage: bridgeUs, agentUsPerMessage: agentUs, directAgentUsPerMessage: perMessage(directCpu.front) },
      });
    }
  } catch (error) {
    const reason = describeFailure(error);
    for (const size of sizes(context.quick)) {
      if (!rows.some((row) => row.figure === figureOf(size, kind))) rows.push(notAvailable(base(size), reason));
    }
  } finally {
    await direct?.close();
    await local?.close();
  }
  return rows;
}

export const throughput: BenchCase = {
  id: "throughput",
  title: "relay throughput",
  async run(context: BenchContext): Promise<Row[]> {
    const sdk = await runClient("sdk", context);
    const raw = await runClient("raw", context);
    // Each size's two rows side by side.
    return sizes(context.quick).flatMap((size) => [...sdk, ...raw].filter((row) => row.figure.includes(`, ${size.label} `)));
  },
};
