// Describes how the agent ended, with the last lines it wrote to stderr.
import type { ExitStatus, SandboxDeath } from "../src/sandbox/types.js";

/** Keeps the last `size` lines of the agent's stderr for error messages. */
export class StderrTail {
  readonly #lines: string[] = [];
  constructor(private readonly size: number) {}

  push(line: string): void {
    if (line.trim() === "") return;
    this.#lines.push(line.length > 500 ? line.slice(0, 500) + "…" : line);
    if (this.#lines.length > this.size) this.#lines.shift();
  }

  lines(): readonly string[] {
    return this.#lines;
  }
}

/**
 * `the agent (claude-agent-acp) exited with code 1; its last stderr lines: …`, led by what the sandbox
 * says when it ended the agent: `the sandbox was killed: out of memory (limit 4 GiB); the agent …`.
 */
export function describeExit(command: string, status: ExitStatus, stderr: readonly string[], death?: SandboxDeath): string {
  const how = status.signal ? `was killed by ${status.signal}` : `exited with code ${status.exitCode}`;
  const last = stderr.slice(-5);
  const tail = last.length > 0 ? `; its last stderr lines: ${last.join(" | ")}` : "; it wrote nothing to stderr";
  if (death?.killed) return `the sandbox was killed: ${death.reason}; the agent (${command}) ${how} with it${tail}`;
  if (death) return `the agent (${command}) ${how} after the sandbox's ${death.reason}${tail}`;
  return `the agent (${command}) ${how}${tail}`;
}
