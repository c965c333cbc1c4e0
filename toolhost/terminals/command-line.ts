// How a terminal's command runs and how it reads: argv as sent, or a shell line through `sh -c` when it is one.
import path from "node:path";
import { shellQuote } from "../../src/policy/shell/commands.js";

export interface CommandPlan {
  /** What is executed inside the sandbox. */
  readonly command: string;
  readonly args: readonly string[];
  /** The command line as rules match it and people read it. */
  readonly line: string;
  /** The same with the program named by its basename (`npm test` for `/usr/bin/npm test`). */
  readonly shortLine: string;
  /** The command is a shell line (no args, shell syntax or spaces): it runs as `sh -c <command>`. */
  readonly viaShell: boolean;
}

/**
 * Agents send either argv (`npm` + `["test"]`) or a whole shell line as `command` with no args (editors run
 * those through a shell). A command with no args that is not a plain word is run as `sh -c <command>`.
 */
export function planCommand(command: string, args: readonly string[]): CommandPlan {
  if (args.length === 0 && shellQuote(command) !== command) {
    return { command: "sh", args: ["-c", command], line: command, shortLine: command, viaShell: true };
  }
  const rest = args.map(shellQuote);
  return {
    command,
    args,
    line: [shellQuote(command), ...rest].join(" "),
    shortLine: [shellQuote(path.basename(command)), ...rest].join(" "),
    viaShell: false,
  };
}
