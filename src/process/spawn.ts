// Starts a host process in a process group of its own, with pipes or a PTY, and stops the whole group.
import { spawn } from "node:child_process";
import { once } from "node:events";
import os from "node:os";
import { PtyUnavailableError } from "../errors.js";
import type { ExitStatus, PipedProcess, TtyOptions, TtyProcess } from "../sandbox/types.js";
import { holdPtySlave } from "./pty-drain.js";
import { trackGroup } from "./reaper.js";

export interface HostSpawnOptions {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
}

export const DEFAULT_GRACE_MS = 2_000;

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone already
  }
}

async function terminateGroup(pid: number | undefined, exited: Promise<ExitStatus>, graceMs: number): Promise<ExitStatus> {
  signalGroup(pid, "SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const escalate = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      signalGroup(pid, "SIGKILL");
      resolve();
    }, graceMs);
  });
  const status = await Promise.race([exited, escalate.then(() => exited)]);
  clearTimeout(timer);
  // The leader may be gone while children of its own linger in the group.
  signalGroup(pid, "SIGKILL");
  return status;
}

/** A process with stdio pipes in a new process group; spawn errors reject. */
export async function spawnPiped(command: string, args: readonly string[], options: HostSpawnOptions): Promise<PipedProcess> {
  const child = spawn(command, [...args], {
    cwd: options.cwd,
    env: { ...options.env },
    stdio: ["pipe", "pipe", "pipe"],
    detached: true,
  });
  await Promise.race([
    once(child, "spawn"),
    once(child, "error").then(([error]) => {
      throw error;
    }),
  ]);
  const pid = child.pid;
  const untrack = pid === undefined ? () => false : trackGroup(pid);
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once("exit", (code, signal) => {
      untrack();
      // Children of the agent may outlive it in its group: take them down with it.
      signalGroup(pid, "SIGKILL");
      resolve({ exitCode: code, signal });
    });
  });
  // Pipe errors (EPIPE after the child died) are reported through `exited`, not thrown.
  child.stdin.on("error", () => {});
  const terminate = (graceMs = DEFAULT_GRACE_MS) => terminateGroup(pid, exited, graceMs);
  return {
    pid,
    stdin: child.stdin,
    stdout: child.stdout,
    stderr: child.stderr,
    exited,
    kill: (signal = "SIGTERM") => signalGroup(pid, signal),
    terminate,
    [Symbol.asyncDispose]: async () => {
      await terminate();
    },
  };
}

type PtyModule = typeof import("node-pty");
let ptyModule: Promise<PtyModule | undefined> | undefined;

async function loadPty(): Promise<PtyModule | undefined> {
  ptyModule ??= import("node-pty").then(
    (m) => (m.default ?? m) as PtyModule,
    () => undefined,
  );
  return ptyModule;
}

/** A process in a pseudo-terminal (node-pty); PtyUnavailableError where node-pty cannot load. */
export async function spawnTty(
  command: string,
  args: readonly string[],
  options: HostSpawnOptions,
  tty: TtyOptions,
): Promise<TtyProcess> {
  const pty = await loadPty();
  if (!pty) throw new PtyUnavailableError("node-pty could not be loaded");
  let term: import("node-pty").IPty;
  try {
    term = pty.spawn(command, [...args], {
      name: options.env["TERM"] ?? "xterm-256color",
      cols: tty.cols,
      rows: tty.rows,
      cwd: options.cwd,
      env: { ...options.env },
    });
  } catch (error) {
    throw new PtyUnavailableError(`cannot open a pseudo-terminal: ${String(error)}`, { cause: error });
  }
  const pid = term.pid;
  let received = 0;
  term.onData((chunk) => (received += chunk.length));
  const releaseSlave = holdPtySlave((term as { _pty?: string })._pty, pid, () => received);
  const untrack = trackGroup(pid);
  const exited = new Promise<ExitStatus>((resolve) => {
    term.onExit(({ exitCode, signal }) => {
      releaseSlave();
      untrack();
      signalGroup(pid, "SIGKILL");
      resolve(signal ? { exitCode: null, signal: signalName(signal) } : { exitCode, signal: null });
    });
  });
  const terminate = (graceMs = DEFAULT_GRACE_MS) => terminateGroup(pid, exited, graceMs);
  return {
    pid,
    exited,
    onData: (listener) => {
      term.onData(listener);
    },
    write: (data) => term.write(data),
    resize: (cols, rows) => term.resize(cols, rows),
    kill: (signal = "SIGTERM") => signalGroup(pid, signal),
    terminate,
    [Symbol.asyncDispose]: async () => {
      await terminate();
    },
  };
}

function signalName(signal: number): string {
  return Object.entries(os.constants.signals).find(([, n]) => n === signal)?.[0] ?? String(signal);
}
