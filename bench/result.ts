// What a benchmark case reports: rows of figures, each beside its baseline, with the target it is held to.

export type CaseId = "throughput" | "latency" | "start" | "toolhost" | "sync" | "memory" | "network" | "checkpoint";

export const CASE_IDS: readonly CaseId[] = ["throughput", "latency", "start", "toolhost", "sync", "memory", "network", "checkpoint"];

/** How the bridge figure is held against its baseline. */
export type Comparison =
  /** bridge ÷ baseline (throughput: higher is better) */
  | "ratio"
  /** bridge − baseline (times: lower is better) */
  | "added"
  /** the bridge figure alone (memory) */
  | "absolute";

export interface Target {
  /** `min`: the compared value must be at least `value`; `max`: below it. */
  readonly bound: "min" | "max";
  readonly value: number;
  readonly text: string;
}

export interface Row {
  readonly case: CaseId;
  readonly figure: string;
  readonly unit: string;
  readonly baselineLabel: string;
  /** Medians over the runs; null when not measured. */
  readonly baseline: number | null;
  readonly bridge: number | null;
  readonly comparison: Comparison;
  readonly target?: Target;
  /** Why the figure could not be measured here: printed instead of a number. */
  readonly na?: string;
  readonly note?: string;
  /** CPU time per message (throughput rows), in µs. */
  readonly cpu?: { readonly bridgeUsPerMessage: number; readonly agentUsPerMessage: number; readonly directAgentUsPerMessage: number };
  /** Every run's figure, for the JSON file. */
  readonly samples?: { readonly baseline: readonly number[]; readonly bridge: readonly number[] };
}

/** A figure that could not be measured, with the reason. */
export function notAvailable(base: Omit<Row, "baseline" | "bridge" | "na">, reason: string): Row {
  return { ...base, baseline: null, bridge: null, na: reason };
}

/** The value the target applies to: the ratio, the added amount, or the bridge figure itself. */
export function compared(row: Row): number | null {
  if (row.bridge === null) return null;
  switch (row.comparison) {
    case "absolute":
      return row.bridge;
    case "ratio":
      return row.baseline === null || row.baseline === 0 ? null : row.bridge / row.baseline;
    case "added":
      return row.baseline === null ? null : row.bridge - row.baseline;
  }
}

export type Verdict = "meets" | "misses" | "no target" | "n/a";

export function verdict(row: Row): Verdict {
  if (row.na !== undefined) return "n/a";
  const value = compared(row);
  if (value === null || Number.isNaN(value)) return "n/a";
  if (!row.target) return "no target";
  return (row.target.bound === "min" ? value >= row.target.value : value < row.target.value) ? "meets" : "misses";
}
