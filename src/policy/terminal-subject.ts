// A command as the policy judges it: the line people read, and every command the shell will run for it.
import { commandsOfArgv, commandsOfLine } from "./shell/commands.js";
import type { TerminalSubject } from "./rules.js";

export interface CommandLine {
  /** What runs: argv, or `sh -c <line>` for a shell line. */
  readonly command: string;
  readonly args: readonly string[];
  /** The command line as rules match it and people read it. */
  readonly line: string;
  /** The same with the program named by its basename. */
  readonly shortLine: string;
  /** The command is a shell line run through `sh -c`. */
  readonly viaShell: boolean;
}

/** A shell line is parsed; an argv is read as it is, looking through wrappers (`bash -lc '…'`, `env`, `nohup`). */
export function terminalSubject(plan: CommandLine): TerminalSubject {
  const reading = plan.viaShell ? commandsOfLine(plan.line) : commandsOfArgv([plan.command, ...plan.args]);
  return {
    op: "terminal",
    line: plan.line,
    shortLine: plan.shortLine,
    viaShell: plan.viaShell,
    commands: reading.commands,
    readable: reading.readable,
    writes: reading.writes,
    ...(reading.problem !== undefined ? { problem: reading.problem } : {}),
  };
}
