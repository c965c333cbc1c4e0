// Figure 3: session start (spawn → initialize answered → session/new answered), bridge against the raw baselines.
import { bridged, directAgent, type PeerCommand } from "../commands.js";
import { type BenchCase, type BenchContext, interleave } from "../context.js";
import { BenchError, describeFailure, Peer, within } from "../peer.js";
import { timeCommand } from "../raw.js";
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

/**
 * Spawn → the bridge's first answer, without starting any agent: a request before `initialize` is refused at
 * once, so this is the bridge's own boot (Node and every module it loads).
 */
export async function bridgeBootOnce(context: BenchContext): Promise<number> {
  const start = performance.now();
  const peer = new Peer(bridged("local", context.workspace), { cwd: context.workspace });
  try {
    await within(peer.agent.request("_bench/boot", {}), 30_000, "the bridge's first answer").then(
      () => {
        throw new BenchError("the bridge answered a request before initialize");
      },
      (error: unknown) => {
        if (error instanceof BenchError) throw error;
      },
    );
    return performance.now() - start;
  } finally {
    await peer.close();
  }
}

/** One way of starting a session through the bridge, and the raw cost of its sandbox (none for local). */
export interface StartVariant {
  readonly label: string;
  readonly target: Target;
  /** Why this variant cannot run here, or the commands it runs. */
  prepare(context: BenchContext): Promise<{ unavailable: string } | Prepared>;
}

interface Prepared {
  readonly bridge: PeerCommand;
  /** The sandbox's own raw cost; `argv` may need the warm-up start first (a kept container to exec in). */
  readonly raw?: { readonly label: string; readonly argv: readonly string[] | (() => Promise<readonly string[]>) };
  /** The agent started directly inside such a sandbox: then the baseline, with the direct + raw one kept beside it. */
  readonly inSandbox?: PeerCommand;
  readonly cleanup?: () => Promise<void>;
}

const LOCAL: StartVariant = {
  label: "local",
  target: { bound: "max", value: 100, text: "< +100 ms over raw" },
  prepare: async (context) => ({ bridge: bridged("local", context.workspace) }),
};

async function measureVariant(variant: StartVariant, context: BenchContext): Promise<Row[]> {
  const figure = `session start, ${variant.label}`;
  const base = { case: "start", figure, unit: "ms", comparison: "added", target: variant.target } as const;
  const prepared = await variant.prepare(context).catch((error: unknown) => ({ unavailable: describeFailure(error) }));
  if ("unavailable" in prepared) return [notAvailable({ ...base, baselineLabel: "raw" }, prepared.unavailable)];
  const baselineLabel = prepared.raw ? `direct agent + \`${prepared.raw.label}\`` : "direct agent";
  try {
    // Warm both paths (page cache, image layers) before timing.
    await startOnce(directAgent(), context);
    await startOnce(prepared.bridge, context);
    const raw = prepared.raw && { label: prepared.raw.label, argv: typeof prepared.raw.argv === "function" ? await prepared.raw.argv() : prepared.raw.argv };
    if (raw) await timeCommand(raw.argv);
    const inSandbox = prepared.inSandbox;
    if (inSandbox) await startOnce(inSandbox, context);
    context.progress(`session start, ${variant.label}: ${context.runs} runs each side`);
    const directMs: number[] = [];
    const rawMs: number[] = [];
    const inSandboxMs: number[] = [];
    const samples = await interleave(
      context.runs,
      async () => {
        const direct = await startOnce(directAgent(), context);
        const sandbox = raw ? await timeCommand(raw.argv) : 0;
        directMs.push(direct);
        if (raw) rawMs.push(sandbox);
        if (inSandbox) inSandboxMs.push(await startOnce(inSandbox, context));
        return direct + sandbox;
      },
      () => startOnce(prepared.bridge, context),
    );
    const parts = [`direct agent ${median(directMs).toFixed(1)} ms`, ...(raw ? [`\`${raw.label}\` ${median(rawMs).toFixed(1)} ms`] : [])];
    let note = `raw parts (medians): ${parts.join(", ")}`;
    if (!raw) {
      const boot = await interleave(context.runs, () => timeCommand([process.execPath, "-e", "0"]), () => bridgeBootOnce(context));
      note += `; the bridge's own boot (spawn → its first answer, no agent) ${median(boot.bridge).toFixed(1)} ms against a bare \`node -e 0\` ${median(boot.baseline).toFixed(1)} ms`;
    }
    const hostRow: Row = { ...base, baselineLabel, baseline: median(samples.baseline), bridge: median(samples.bridge), samples, note };
    if (!inSandbox) return [hostRow];
    const inRow: Row = {
      ...base,
      baselineLabel: `the agent started directly in a ${inSandbox.label.replace(/^agent in /, "")} container`,
      baseline: median(inSandboxMs),
      bridge: median(samples.bridge),
      samples: { baseline: inSandboxMs, bridge: samples.bridge },
      note: `baseline: \`docker run -i --rm --runtime … <image> node agent.js\`, spawn → initialize → session/new answered`,
    };
    const { target: _heldToTheNewBaseline, ...old } = hostRow;
    return [inRow, { ...old, figure: `${figure}, against the host's agent (old baseline)` }];
  } catch (error) {
    return [notAvailable({ ...base, baselineLabel }, describeFailure(error))];
  } finally {
    await prepared.cleanup?.();
  }
}

export const sessionStart: BenchCase = {
  id: "start",
  title: "session start",
  async run(context: BenchContext): Promise<Row[]> {
    const rows: Row[] = [];
    for (const variant of [LOCAL, ...sandboxVariants()]) rows.push(...(await measureVariant(variant, context)));
    return rows;
  },
};
