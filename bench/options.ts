// The bench's command line: --quick, --runs N, --only LIST, --json FILE, --help.
import { CASE_IDS, type CaseId } from "./result.js";

export interface BenchOptions {
  readonly quick: boolean;
  readonly runs: number;
  readonly only: readonly CaseId[];
  /** Where the JSON goes; undefined: .bench/results.json in the project. */
  readonly json: string | undefined;
  readonly help: boolean;
}

export const USAGE = `usage: npm run bench -- [--quick] [--runs N] [--only ${CASE_IDS.join(",")}] [--json FILE]

  --quick       fewer messages and runs (under a minute)
  --runs N      repeated runs per figure, interleaved with the baseline (default 9, quick 3)
  --only LIST   comma-separated figures to run (default: all)
  --json FILE   where the JSON results go (default .bench/results.json)`;

export class BenchUsageError extends Error {
  override name = "BenchUsageError";
}

/** Parses argv (without node and the script); throws BenchUsageError naming what was expected. */
export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  let quick = false;
  let runs: number | undefined;
  let only: CaseId[] = [...CASE_IDS];
  let json: string | undefined;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined) throw new BenchUsageError(`Expected a value after \`${arg}\``);
      return next;
    };
    switch (arg) {
      case "--quick":
        quick = true;
        break;
      case "--runs": {
        const text = value();
        if (!/^\d+$/.test(text) || Number(text) < 1) throw new BenchUsageError(`Expected \`--runs\` to be a positive integer, got \`${text}\``);
        runs = Number(text);
        break;
      }
      case "--only": {
        const names = value().split(",").map((name) => name.trim()).filter(Boolean);
        const unknown = names.filter((name) => !(CASE_IDS as readonly string[]).includes(name));
        if (unknown.length || names.length === 0) throw new BenchUsageError(`Expected \`--only\` to list some of ${CASE_IDS.join(", ")}, got \`${unknown.join(",") || "nothing"}\``);
        only = names as CaseId[];
        break;
      }
      case "--json":
        json = value();
        break;
      case "-h":
      case "--help":
        help = true;
        break;
      default:
        throw new BenchUsageError(`Unknown argument \`${arg}\``);
    }
  }
  return { quick, runs: runs ?? (quick ? 3 : 9), only, json, help };
}
