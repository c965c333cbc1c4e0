// Runs the sync script in a container through a docker exec: request on stdin, answer streamed from stdout.
import type { Duplex, Readable } from "node:stream";
import type Docker from "dockerode";
import { SyncError } from "../../errors.js";
import { dockerErrorMessage } from "../../sandbox/docker/client.js";
import { demuxer } from "../../sandbox/docker/demux.js";
import { SYNC_SCRIPT } from "./script.js";

export interface ScriptTarget {
  readonly container: Docker.Container;
  /** `uid:gid` the script runs as (the sandbox's user); the container's default when undefined. */
  readonly user?: string;
  /** The node executable inside the container. */
  readonly node: string;
}

export interface ScriptRun {
  readonly stdout: Readable;
  /** Resolves when the script exited 0; rejects with its stderr otherwise. */
  readonly done: Promise<void>;
}

const STDERR_CAP = 4096;

export async function runScript(target: ScriptTarget, op: string, root: string, request: unknown, signal?: AbortSignal, user = target.user): Promise<ScriptRun> {
  let exec: Docker.Exec;
  let stream: Duplex;
  try {
    exec = await target.container.exec({
      Cmd: [target.node, "-e", SYNC_SCRIPT, op, root],
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      WorkingDir: "/",
      Env: ["PATH=/usr/local/bin:/usr/bin:/bin"],
      ...(user ? { User: user } : {}),
    });
    stream = (await exec.start({ hijack: true, stdin: true })) as unknown as Duplex;
  } catch (error) {
    throw new SyncError(`cannot run the sync helper in the container: ${dockerErrorMessage(error)}`, { cause: error });
  }
  const { input, stdout, stderr } = demuxer();
  let errors = "";
  stderr.on("data", (chunk: Buffer) => {
    if (errors.length < STDERR_CAP) errors += chunk.toString("utf8");
  });
  stream.on("error", (error) => input.destroy(error));
  stream.pipe(input);
  const abort = () => stream.destroy(new SyncError("sync cancelled"));
  signal?.addEventListener("abort", abort, { once: true });
  stream.write(JSON.stringify(request));
  stream.end();
  const done = new Promise<void>((resolve, reject) => {
    const finish = async () => {
      signal?.removeEventListener("abort", abort);
      if (signal?.aborted) return reject(new SyncError("sync cancelled"));
      let code: number | null | undefined;
      try {
        code = (await exec.inspect()).ExitCode;
      } catch (error) {
        return reject(new SyncError(`the sync helper's exit status is unknown: ${dockerErrorMessage(error)}`));
      }
      if (code === 0) return resolve();
      const said = errors.trim().split("\n").slice(-3).join("; ");
      if (code === 126 || code === 127 || /not found|no such file/i.test(said)) {
        return reject(new SyncError(`copy mode needs node in the container image (${target.node}: ${said || `exit ${code}`})`));
      }
      reject(new SyncError(`the sync helper failed in the container (${op}, exit ${code ?? "unknown"}): ${said || "no message"}`));
    };
    stdout.once("end", () => void finish());
    stdout.once("error", (error) => reject(new SyncError(`the sync helper's output broke off: ${error.message}`)));
  });
  return { stdout, done };
}

/** Runs the script and parses its whole stdout as JSON. */
export async function scriptJson<T>(target: ScriptTarget, op: string, root: string, request: unknown, signal?: AbortSignal, user?: string): Promise<T> {
  const run = await runScript(target, op, root, request, signal, user);
  const chunks: Buffer[] = [];
  run.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
  await run.done;
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8")) as T;
  } catch {
    throw new SyncError(`the sync helper's answer to ${op} is not JSON`);
  }
}
