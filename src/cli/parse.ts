// Parses argv into a command, validated option values and the agent command after `--`.
import { parseArgs } from "node:util";
import { UsageError } from "../errors.js";
import { type Command, optionsFor, type OptionSpec } from "./options/index.js";

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface ParsedArgs {
  readonly command: Command;
  readonly values: OptionValues;
  /** Words after `--` (or the positional words): the agent and its arguments. */
  readonly agent: readonly string[];
}

const SUBCOMMANDS: readonly Command[] = ["run", "demo", "doctor", "ls", "prune", "sync", "checkpoints", "rollback"];

function closest(word: string, candidates: readonly string[]): string | undefined {
  const distance = (a: string, b: string) => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0]![j] = j;
    for (let i = 1; i <= a.length; i++)
      for (let j = 1; j <= b.length; j++)
        d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    return d[a.length]![b.length]!;
  };
  const ranked = candidates.map((c) => [c, distance(word, c)] as const).sort((a, b) => a[1] - b[1]);
  return ranked[0] && ranked[0][1] <= Math.max(2, Math.floor(word.length / 3)) ? ranked[0][0] : undefined;
}

function validate(spec: OptionSpec, value: string): void {
  if (spec.choices && !spec.choices.includes(value)) {
    throw new UsageError(`Expected --${spec.name} to be one of ${spec.choices.join(", ")}, got \`${value}\``);
  }
  if (spec.integer && !/^\d+$/.test(value)) {
    throw new UsageError(`Expected --${spec.name} to be a non-negative integer, got \`${value}\``);
  }
}

export function parseCommandLine(argv: readonly string[]): ParsedArgs {
  const dashdash = argv.indexOf("--");
  const before = dashdash === -1 ? [...argv] : argv.slice(0, dashdash);
  const after = dashdash === -1 ? [] : argv.slice(dashdash + 1);
  const first = before[0];
  const command: Command = first !== undefined && (SUBCOMMANDS as readonly string[]).includes(first) ? (first as Command) : "bridge";
  const words = command === "bridge" ? before : before.slice(1);
  const specs = optionsFor(command);
  const config = Object.fromEntries(
    specs.map((s) => [s.name, { type: s.type, ...(s.short ? { short: s.short } : {}), ...(s.multiple ? { multiple: true } : {}) }]),
  );
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: words, options: config, allowPositionals: true, strict: true });
  } catch (error) {
    const message = (error as Error).message;
    const unknown = /Unknown option '(-{1,2}[^']+)'/.exec(message);
    if (unknown) {
      const name = unknown[1]!.replace(/^-+/, "");
      const suggestion = closest(name, specs.map((s) => s.name));
      throw new UsageError(`unknown option ${unknown[1]}${suggestion ? `; did you mean --${suggestion}?` : ""}`);
    }
    throw new UsageError(message.replace(/\. To specify a positional argument.*$/s, ""));
  }
  const values = parsed.values as OptionValues;
  for (const spec of specs) {
    const value = values[spec.name];
    if (typeof value === "string") validate(spec, value);
    if (Array.isArray(value)) value.forEach((v) => validate(spec, v));
  }
  if (command === "bridge" && parsed.positionals.length > 0 && after.length === 0) {
    const word = parsed.positionals[0]!;
    const suggestion = closest(word, SUBCOMMANDS);
    if (suggestion) throw new UsageError(`unknown command ${word}; did you mean ${suggestion}?`);
  }
  const agent = after.length > 0 ? after : parsed.positionals;
  if (after.length > 0 && parsed.positionals.length > 0) {
    throw new UsageError(`unexpected argument ${parsed.positionals[0]} before --; the agent command goes after --`);
  }
  return { command, values, agent };
}
