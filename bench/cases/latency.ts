// Figure 2: round trip of a small extension request the agent echoes (`_fixture/echo`), p50 and p99.
import { bridged, directAgent } from "../commands.js";
import { type BenchCase, type BenchContext, interleave } from "../context.js";
import { describeFailure } from "../peer.js";
import { notAvailable, type Row } from "../result.js";
import { closeSession, type OpenSession, openSession } from "../session.js";
import { median, p50, p99 } from "../stats.js";

const PAYLOAD = { text: "ping", n: 1, nested: { ok: true } };

/** `count` echoes in a row; each round trip in ms. */
async function echoes(session: OpenSession, count: number): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await session.peer.agent.request("_fixture/echo", { ...PAYLOAD, n: i });
    ms.push(performance.now() - start);
  }
  return ms;
}

export const latency: BenchCase = {
  id: "latency",
  title: "relay latency",
  async run(context: BenchContext): Promise<Row[]> {
    const count = context.quick ? 300 : 2_000;
    const base = { case: "latency", unit: "ms", baselineLabel: "direct", comparison: "added" } as const;
    const figures = [
      { ...base, figure: "relay latency p50, `_fixture/echo` round trip", target: { bound: "max", value: 0.3, text: "< +0.3 ms over direct" } },
      { ...base, figure: "relay latency p99, `_fixture/echo` round trip" },
    ] as const;
    let direct: OpenSession | undefined;
    let local: OpenSession | undefined;
    try {
      direct = await openSession(directAgent(), context);
      local = await openSession(bridged("local", context.workspace), context);
      await echoes(direct, 200);
      await echoes(local, 200);
      context.progress(`latency: ${context.runs} runs of ${count} sequential echoes each side`);
      const d = direct;
      const l = local;
      const runs = await interleave(context.runs, () => echoes(d, count), () => echoes(l, count));
      const rows: Row[] = [p50, p99].map((statistic, i) => {
        const samples = { baseline: runs.baseline.map(statistic), bridge: runs.bridge.map(statistic) };
        return { ...figures[i]!, baseline: median(samples.baseline), bridge: median(samples.bridge), samples };
      });
      rows[0] = { ...rows[0]!, note: `${count} sequential requests a run; each run's percentile, then the median over runs` };
      return rows;
    } catch (error) {
      return figures.map((figure) => notAvailable(figure, describeFailure(error, (error as { peer?: never }).peer)));
    } finally {
      await closeSession(direct, context, "latency");
      await closeSession(local, context, "latency");
    }
  },
};
