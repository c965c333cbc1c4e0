// What every case gets (run counts, the scratch workspace, the memory log) and the interleaving of runs.
import type { RssLog } from "./rss.js";
import type { CaseId, Row } from "./result.js";

export interface BenchContext {
  /** Repeated runs per figure; each figure is the median over them. */
  readonly runs: number;
  readonly quick: boolean;
  /** A scratch workspace (resolved path) holding the files the cases use. */
  readonly workspace: string;
  readonly rss: RssLog;
  /** Progress, to stderr. */
  progress(message: string): void;
}

export interface BenchCase {
  readonly id: CaseId;
  readonly title: string;
  run(context: BenchContext): Promise<Row[]>;
}

/**
 * Runs `baseline` and `bridge` alternately, `runs` times each, swapping which goes first every run
 * (baseline, bridge, bridge, baseline, …) so drift and warm-up hit both sides alike.
 */
export async function interleave<T>(runs: number, baseline: (run: number) => Promise<T>, bridge: (run: number) => Promise<T>): Promise<{ baseline: T[]; bridge: T[] }> {
  const out = { baseline: [] as T[], bridge: [] as T[] };
  for (let run = 0; run < runs; run++) {
    if (run % 2 === 0) {
      out.baseline.push(await baseline(run));
      out.bridge.push(await bridge(run));
    } else {
      out.bridge.push(await bridge(run));
      out.baseline.push(await baseline(run));
    }
  }
  return out;
}
