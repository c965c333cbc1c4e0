// Figure 3: session start (spawn → initialize answered → session/new answered), bridge against the raw baselines.
import { bridged, directAgent, type PeerCommand } from "../commands.js";
import { type BenchCase, type BenchContext, interleave } from "../context.js";
import { describeFailure, Peer } from "../peer.js";
import { timeCommand, timeCommands } from "../raw.js";
import { median } from "../stats.js";
import { notAvailable, type Row, type Target } from "../result.js";
import { sandboxVariants } from "./start-variants.js";

/** Spawn to `session/new` answered, in ms; the peer is closed (not timed) and its peak memory logged. */
export async function startOnce(command: PeerCommand, context: BenchContext): Promise<number> {
  const start = performance.now();
  const peer = new Peer(command, { cwd: context.workspace, watchMemory: true });
  try {
    await peer.initialize();
    await peer.newSession(context.workspace);
    return performance.now() - start;
  } catch (error) {
    throw new Error(describeFailure(error, peer));
  } finally {
    context.rss.record(command.role, "session start", peer.stopWatch());
    await peer.close();
  }
}

/** One way of starting a session through the bridge, and the raw cost of its sandbox (none for local). */
export interface StartVariant {
  readonly label: string;
  readonly target: Target;
  /** Why this variant cannot run here, or the commands it runs. */
  prepare(context: BenchContext): Promise<{ unavailable: string } | { bridge: PeerCommand; raw?: { label: string; argv: readonly string[] }; cleanup?: () => Promise<void> }>;
}

const LOCAL: StartVariant = {
  label: "local",
  target: { bound: "max", value: 100, text: "< +100 ms over raw" },
  prepare: async (context) => ({ bridge: bridged("local", context.workspace) }),
};

async function measureVariant(variant: StartVariant, context: BenchContext): Promise<Row> {
  const figure = `session start, ${variant.label}`;
  const base = { case: "start", figure, unit: "ms", comparison: "added", target: variant.target } as const;
  const prepared = await variant.prepare(context).catch((error: unknown) => ({ unavailable: describeFailure(error) }));
  if ("unavailable" in prepared) return notAvailable({ ...base, baselineLabel: "raw" }, prepared.unavailable);
  const baselineLabel = prepared.raw ? `direct agent + \`${prepared.raw.label}\`` : "direct agent";
  try {
    // Warm both paths (page cache, image layers) before timing.
    await startOnce(directAgent(), context);
    await startOnce(prepared.bridge, context);
    if (prepared.raw) await timeCommand(prepared.raw.argv);
    context.progress(`session start, ${variant.label}: ${context.runs} runs each side`);
    const raw = prepared.raw;
    const directMs: number[] = [];
    const rawMs: number[] = [];
    const samples = await interleave(
      context.runs,
      async () => {
        const direct = await startOnce(directAgent(), context);
        const sandbox = raw ? await timeCommand(raw.argv) : 0;
        directMs.push(direct);
        if (raw) rawMs.push(sandbox);
        return direct + sandbox;
      },
      () => startOnce(prepared.bridge, context),
    );
    const nodeBoot = median(await timeCommands([process.execPath, "-e", "0"], context.runs));
    const parts = [
      `direct agent ${median(directMs).toFixed(1)} ms`,
      ...(raw ? [`\`${raw.label}\` ${median(rawMs).toFixed(1)} ms`] : []),
      `and for scale a bare \`node -e 0\` ${nodeBoot.toFixed(1)} ms (the bridge is one more Node process to boot)`,
    ];
    return { ...base, baselineLabel, baseline: median(samples.baseline), bridge: median(samples.bridge), samples, note: `raw parts (medians): ${parts.join(", ")}` };
  } catch (error) {
    return notAvailable({ ...base, baselineLabel }, describeFailure(error));
  } finally {
    await prepared.cleanup?.();
  }
}

export const sessionStart: BenchCase = {
  id: "start",
  title: "session start",
  async run(context: BenchContext): Promise<Row[]> {
    const rows: Row[] = [];
    for (const variant of [LOCAL, ...sandboxVariants()]) rows.push(await measureVariant(variant, context));
    return rows;
  },
};
