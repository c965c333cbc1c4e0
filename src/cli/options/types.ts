// How a command-line option is described: one table drives parsing, validation and help.
export type Command = "bridge" | "run" | "demo" | "doctor" | "ls" | "prune" | "sync" | "checkpoints" | "rollback";

export interface OptionSpec {
  readonly name: string;
  readonly short?: string;
  readonly type: "string" | "boolean";
  /** For strings with a fixed set of values. */
  readonly choices?: readonly string[];
  /** For strings that must be a non-negative integer. */
  readonly integer?: boolean;
  readonly multiple?: boolean;
  readonly placeholder?: string;
  readonly description: string;
  readonly default?: string;
  readonly commands: readonly Command[];
}
