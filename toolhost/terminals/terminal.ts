// One terminal: a process inside the sandbox (PTY, or pipes where none can be had), its output and its exit.
import { PtyUnavailableError } from "../../src/errors.js";
import type { ExitStatus, PipedProcess, ProcessSpec, Sandbox, TtyProcess } from "../../src/sandbox/types.js";
import { OutputBuffer } from "./output.js";

export const TTY_SIZE = { cols: 120, rows: 40 } as const;

export interface TerminalOutput {
  readonly output: string;
  readonly truncated: boolean;
  readonly exitStatus: ExitStatus | null;
}

export class Terminal {
  readonly #process: PipedProcess | TtyProcess;
  readonly #output: OutputBuffer;
  #exit: ExitStatus | null = null;
  /** Resolves with the exit status once the process has exited and its last output is in. */
  readonly exited: Promise<ExitStatus>;

  private constructor(process: PipedProcess | TtyProcess, output: OutputBuffer, drained: Promise<void>, readonly tty: boolean) {
    this.#process = process;
    this.#output = output;
    this.exited = Promise.all([process.exited, drained]).then(([status]) => {
      this.#exit = status;
      return status;
    });
  }

  /** Starts `spec` in the sandbox: in a pseudo-terminal, or with pipes when no PTY can be had. */
  static async start(sandbox: Sandbox, spec: ProcessSpec, outputLimit: number, onFallback: (reason: string) => void): Promise<Terminal> {
    const output = new OutputBuffer(outputLimit);
    try {
      const tty = await sandbox.execTty(spec, TTY_SIZE);
      let closed!: () => void;
      const drained = new Promise<void>((resolve) => (closed = resolve));
      tty.onData((chunk) => output.append(chunk));
      // Output events queued before the exit event are delivered first.
      void tty.exited.then(() => setImmediate(closed));
      return new Terminal(tty, output, drained, true);
    } catch (error) {
      if (!(error instanceof PtyUnavailableError)) throw error;
      onFallback(error.message);
    }
    const piped = await sandbox.exec(spec);
    piped.stdin.end();
    const ends = [piped.stdout, piped.stderr].map(
      (stream) =>
        new Promise<void>((resolve) => {
          stream.on("data", (chunk: Buffer) => output.append(chunk));
          stream.once("end", resolve);
          stream.once("close", resolve);
          stream.once("error", () => resolve());
        }),
    );
    // A grandchild holding the pipes open must not hold up the exit status for long.
    const late = piped.exited.then(() => new Promise<void>((resolve) => setTimeout(resolve, 1_000).unref()));
    const drained = Promise.race([Promise.all(ends), late]).then(() => output.end());
    return new Terminal(piped, output, drained, false);
  }

  get pid(): number | undefined {
    return this.#process.pid;
  }

  get exitStatus(): ExitStatus | null {
    return this.#exit;
  }

  output(): TerminalOutput {
    return { output: this.#output.text(), truncated: this.#output.truncated, exitStatus: this.#exit };
  }

  /** Stops the command and everything it started (its process group), escalating to SIGKILL after `graceMs`. */
  async kill(graceMs: number): Promise<ExitStatus> {
    if (this.#exit) return this.#exit;
    await this.#process.terminate(graceMs);
    return this.exited;
  }
}
