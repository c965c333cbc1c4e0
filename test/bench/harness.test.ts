// The bench harness's pure parts: statistics, verdicts, the markdown table, argument parsing, /proc parsing.
import { describe, expect, it } from "vitest";
import { bridged, directAgent } from "../../bench/commands.js";
import { interleave } from "../../bench/context.js";
import { BenchUsageError, parseBenchArgs } from "../../bench/options.js";
import { compared, notAvailable, type Row, verdict } from "../../bench/result.js";
import { parseStatus } from "../../bench/rss.js";
import { median, percentile } from "../../bench/stats.js";
import { markdownTable } from "../../bench/table.js";

describe("statistics", () => {
  it("takes the median of odd and even sample counts, whatever the order", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it("takes percentiles by nearest rank", () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1
    expect(percentile(samples, 50)).toBe(50);
    expect(percentile(samples, 99)).toBe(99);
    expect(percentile(samples, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
  });
});

const throughputRow = (bridge: number): Row => ({
  case: "throughput",
  figure: "relay throughput",
  unit: "msg/s",
  baselineLabel: "direct",
  baseline: 1000,
  bridge,
  comparison: "ratio",
  target: { bound: "min", value: 0.8, text: "≥ 0.8× direct" },
});

describe("verdicts", () => {
  it("holds a ratio to a minimum and an added time to a maximum", () => {
    expect(verdict(throughputRow(850))).toBe("meets");
    expect(verdict(throughputRow(790))).toBe("misses");
    const latency: Row = { case: "latency", figure: "p50", unit: "ms", baselineLabel: "direct", baseline: 0.2, bridge: 0.6, comparison: "added", target: { bound: "max", value: 0.3, text: "< +0.3 ms" } };
    expect(compared(latency)).toBeCloseTo(0.4);
    expect(verdict(latency)).toBe("misses");
    expect(verdict({ ...latency, bridge: 0.4 })).toBe("meets");
  });

  it("never gives a figure that was not measured a verdict", () => {
    const row = notAvailable({ case: "start", figure: "session start, bwrap", unit: "ms", baselineLabel: "raw", comparison: "added" }, "bwrap is not installed");
    expect(verdict(row)).toBe("n/a");
    expect(compared(row)).toBeNull();
  });
});

describe("the markdown table", () => {
  it("prints the reason instead of a number for a figure that could not run, and marks misses", () => {
    const table = markdownTable([
      throughputRow(790),
      notAvailable({ case: "sync", figure: "initial sync", unit: "ms", baselineLabel: "tar", comparison: "added" }, "no Docker daemon answers"),
    ]);
    const lines = table.split("\n");
    expect(lines[0]).toBe("| figure | baseline | acp-sandbox | vs baseline | target | verdict |");
    expect(lines[2]).toBe("| relay throughput | 1,000 msg/s (direct) | 790 msg/s | 0.79× | ≥ 0.8× direct | **misses** |");
    expect(lines[3]).toBe("| initial sync |  | n/a (no Docker daemon answers) |  |  | n/a |");
  });
});

describe("bench arguments", () => {
  it("has defaults, and quick runs fewer", () => {
    expect(parseBenchArgs([])).toMatchObject({ quick: false, runs: 9, json: undefined });
    expect(parseBenchArgs(["--quick"])).toMatchObject({ quick: true, runs: 3 });
    expect(parseBenchArgs(["--runs", "5", "--only", "latency,start", "--json", "out.json"])).toMatchObject({ runs: 5, only: ["latency", "start"], json: "out.json" });
  });

  it("refuses what it does not know, saying what was expected", () => {
    expect(() => parseBenchArgs(["--runs", "0"])).toThrow(new BenchUsageError("Expected `--runs` to be a positive integer, got `0`"));
    expect(() => parseBenchArgs(["--only", "speed"])).toThrow(/Expected `--only` to list some of throughput, latency, start, toolhost, sync, memory, network, checkpoint, got `speed`/);
    expect(() => parseBenchArgs(["--json"])).toThrow("Expected a value after `--json`");
    expect(() => parseBenchArgs(["--fast"])).toThrow("Unknown argument `--fast`");
  });
});

describe("peers and runs", () => {
  it("runs the same agent directly and behind the bridge", () => {
    const direct = directAgent("/usr/bin/node");
    const bridge = bridged("local", "/tmp/ws", [], "/usr/bin/node");
    expect(direct.args).toHaveLength(1);
    expect(bridge.args.slice(-3)).toEqual(["--", "/usr/bin/node", direct.args[0]]);
    expect(bridge.args).toContain("--sandbox");
    expect(bridge.args[bridge.args.indexOf("--sandbox") + 1]).toBe("local");
  });

  it("interleaves baseline and bridge runs, alternating which goes first", async () => {
    const order: string[] = [];
    const result = await interleave(
      4,
      async (run) => (order.push(`b${run}`), run),
      async (run) => (order.push(`x${run}`), run * 10),
    );
    expect(order).toEqual(["b0", "x0", "x1", "b1", "b2", "x2", "x3", "b3"]);
    expect(result).toEqual({ baseline: [0, 1, 2, 3], bridge: [0, 10, 20, 30] });
  });
});

describe("/proc/<pid>/status", () => {
  it("reads the peak and current resident set in bytes", () => {
    const status = "Name:\tnode\nVmPeak:\t 1000 kB\nVmHWM:\t   51200 kB\nVmRSS:\t   40960 kB\nThreads:\t7\n";
    expect(parseStatus(status)).toEqual({ peakBytes: 51200 * 1024, rssBytes: 40960 * 1024 });
    expect(parseStatus("Name:\tzombie\n")).toBeUndefined();
  });
});
