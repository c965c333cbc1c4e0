// Processes inside a container: docker execs with stdio pipes or a TTY, killed by pid through another exec.
import os from "node:os";
import { PassThrough, type Duplex, type Readable, type Transform } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import type Docker from "dockerode";
import { LaunchError } from "../../errors.js";
import { DEFAULT_GRACE_MS } from "../../process/spawn.js";
import type { ExitStatus, PipedProcess, TtyOptions, TtyProcess } from "../types.js";
import { dockerErrorMessage } from "./client.js";
import { demuxer } from "./demux.js";
import { type Marker, markerFilter } from "./exec-marker.js";

export interface ExecTarget {
  readonly docker: Docker;
  readonly container: Docker.Container;
  /** For messages: the image, so a missing command can be named with it. */
  readonly image: string;
  /** Aborted when the container dies under its execs: their streams (which gVisor leaves open) are ended. */
  readonly gone?: AbortSignal;
}

/** Signals a process (its group first) inside the container, through a second exec. Never throws. */
async function signalInside(target: ExecTarget, pid: number, signal: NodeJS.Signals, user: string | undefined): Promise<void> {
  const name = signal.replace(/^SIG/, "");
  try {
    const exec = await target.container.exec({
      Cmd: ["/bin/sh", "-c", `kill -s ${name} -- -${pid} 2>/dev/null || kill -s ${name} ${pid} 2>/dev/null; true`],
      AttachStdout: false,
      AttachStderr: false,
      ...(user ? { User: user } : {}),
    });
    await exec.start({ Detach: true });
  } catch {
    // the container or the process is gone already
  }
}

function signalNumber(signal: NodeJS.Signals): number {
  return os.constants.signals[signal] ?? 15;
}

/** The exit status of a finished exec; a vanished container counts as killed. */
async function exitStatus(exec: Docker.Exec, sent: NodeJS.Signals | undefined): Promise<ExitStatus> {
  try {
    const info = await exec.inspect();
    const code = info.ExitCode;
    if (code === null || code === undefined) return { exitCode: null, signal: sent ?? "SIGKILL" };
    if (sent && code === 128 + signalNumber(sent)) return { exitCode: null, signal: sent };
    return { exitCode: code, signal: null };
  } catch {
    return { exitCode: null, signal: sent ?? "SIGKILL" };
  }
}

interface Started {
  readonly exec: Docker.Exec;
  readonly stream: Duplex;
  readonly marker: Promise<Marker>;
  readonly exited: Promise<ExitStatus>;
  kill(signal: NodeJS.Signals): void;
  terminate(graceMs?: number): Promise<ExitStatus>;
}

/** Creates and starts the exec; `wire` connects the raw stream and the marker filter to the outputs. */
async function start(target: ExecTarget, options: Docker.ExecCreateOptions, wire: (stream: Duplex, filter: Transform) => void, tty: boolean): Promise<Started> {
  let exec: Docker.Exec;
  let stream: Duplex;
  try {
    exec = await target.container.exec(options);
    stream = (await exec.start({ hijack: true, stdin: true, Tty: tty })) as unknown as Duplex;
  } catch (error) {
    throw new LaunchError(`cannot start ${options.Cmd?.[4] ?? "a process"} in the container: ${dockerErrorMessage(error)}`, { cause: error });
  }
  stream.on("error", () => {});
  const onGone = () => stream.destroy();
  if (target.gone?.aborted) onGone();
  target.gone?.addEventListener("abort", onGone, { once: true });
  stream.once("close", () => target.gone?.removeEventListener("abort", onGone));
  let resolveMarker!: (marker: Marker) => void;
  const marker = new Promise<Marker>((resolve) => (resolveMarker = resolve));
  wire(stream, markerFilter(resolveMarker));
  let sent: NodeJS.Signals | undefined;
  const ended = new Promise<void>((resolve) => {
    stream.once("close", () => resolve());
    stream.once("end", () => resolve());
  });
  const exited = ended.then(() => exitStatus(exec, sent));
  const kill = (signal: NodeJS.Signals) => {
    sent = signal;
    void marker.then((m) => {
      if (m.kind === "pid") void signalInside(target, m.pid, signal, options.User);
      else if (m.kind === "none") stream.destroy();
    });
  };
  const terminate = async (graceMs = DEFAULT_GRACE_MS): Promise<ExitStatus> => {
    kill("SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    const escalated = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        kill("SIGKILL");
        // If even that does not end it (the daemon went away), stop waiting on the stream.
        timer = setTimeout(() => {
          stream.destroy();
          resolve();
        }, graceMs);
      }, graceMs);
    });
    const status = await Promise.race([exited, escalated.then(() => exited)]);
    clearTimeout(timer);
    return status;
  };
  return { exec, stream, marker, exited, kill, terminate };
}

async function awaitMarker(started: Started, target: ExecTarget, command: string): Promise<void> {
  const marker = await started.marker;
  if (marker.kind === "missing") {
    await started.exited;
    throw new LaunchError(`${command} not found in the container (image ${target.image}); use an image that contains it, or install it on the host so it can be mounted`);
  }
  if (marker.kind === "none") {
    const status = await started.exited;
    throw new LaunchError(`cannot start ${command} in the container (image ${target.image}, exit ${status.exitCode ?? status.signal}); the image needs /bin/sh`);
  }
}

/** A process with stdio pipes; stdout and stderr demultiplexed, the marker line removed from stderr. */
export async function execPiped(target: ExecTarget, options: Docker.ExecCreateOptions, command: string): Promise<PipedProcess> {
  const { input, stdout, stderr: rawStderr } = demuxer();
  const stderr = new PassThrough();
  const started = await start(
    target,
    { ...options, AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: false },
    (stream, filter) => {
      stream.pipe(input);
      rawStderr.pipe(filter).pipe(stderr);
    },
    false,
  );
  const stdin = new PassThrough();
  stdin.pipe(started.stream);
  stdin.on("error", () => {});
  await awaitMarker(started, target, command);
  return {
    pid: undefined,
    stdin,
    stdout: stdout as Readable,
    stderr,
    exited: started.exited,
    kill: (signal = "SIGTERM") => started.kill(signal),
    terminate: started.terminate,
    [Symbol.asyncDispose]: async () => {
      await started.terminate();
    },
  };
}

/** A process in a TTY (docker's own pseudo-terminal): one merged output stream. */
export async function execTty(target: ExecTarget, options: Docker.ExecCreateOptions, command: string, tty: TtyOptions): Promise<TtyProcess> {
  const output = new PassThrough();
  const started = await start(
    target,
    { ...options, AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: true },
    (stream, filter) => stream.pipe(filter).pipe(output),
    true,
  );
  const raw = started.stream;
  await awaitMarker(started, target, command);
  void started.exec.resize({ h: tty.rows, w: tty.cols }).catch(() => {});
  const decoder = new StringDecoder("utf8");
  const listeners: Array<(chunk: string) => void> = [];
  // Output that arrives before anyone listens is kept for the first listener.
  let early: string[] | undefined = [];
  output.on("data", (chunk: Buffer) => {
    const text = decoder.write(chunk);
    if (!text) return;
    if (early) early.push(text);
    else for (const listener of listeners) listener(text);
  });
  return {
    pid: undefined,
    exited: started.exited,
    onData: (listener) => {
      listeners.push(listener);
      if (early) {
        const kept = early;
        early = undefined;
        for (const text of kept) listener(text);
      }
    },
    write: (data) => void raw.write(data),
    resize: (cols, rows) => void started.exec.resize({ h: rows, w: cols }).catch(() => {}),
    kill: (signal = "SIGTERM") => started.kill(signal),
    terminate: started.terminate,
    [Symbol.asyncDispose]: async () => {
      await started.terminate();
    },
  };
}
