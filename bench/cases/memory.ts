// Figure 6: the bridge's peak resident memory (VmHWM) during figures 1–3, beside the agent's own when run directly.
import type { BenchCase, BenchContext } from "../context.js";
import { notAvailable, type Row } from "../result.js";

const MB = 1024 * 1024;
/** The figures during which the bridge's memory counts (the ToolHost and sync figures stress other things). */
const DURING = new Set(["throughput", "latency", "session start"]);

export const memory: BenchCase = {
  id: "memory",
  title: "peak memory",
  async run(context: BenchContext): Promise<Row[]> {
    const base = {
      case: "memory",
      figure: "peak RSS of the bridge process",
      unit: "MB",
      baselineLabel: "the agent alone",
      comparison: "absolute",
      target: { bound: "max", value: 100, text: "< 100 MB" },
    } as const;
    const peaks = context.rss.peaks.filter((p) => DURING.has(p.during));
    const highest = (role: "bridge" | "direct-agent") =>
      peaks.filter((p) => p.role === role).reduce<(typeof peaks)[number] | undefined>((best, p) => (best && best.bytes >= p.bytes ? best : p), undefined);
    const bridge = highest("bridge");
    const agent = highest("direct-agent");
    if (!bridge) return [notAvailable(base, "no bridge ran: run it with throughput, latency or start")];
    return [
      {
        ...base,
        baseline: agent ? agent.bytes / MB : null,
        bridge: bridge.bytes / MB,
        note: `highest VmHWM of any bridge process, reached during ${bridge.during}; the agent's own peak (run directly) for scale`,
        samples: {
          baseline: peaks.filter((p) => p.role === "direct-agent").map((p) => p.bytes / MB),
          bridge: peaks.filter((p) => p.role === "bridge").map((p) => p.bytes / MB),
        },
      },
    ];
  },
};
