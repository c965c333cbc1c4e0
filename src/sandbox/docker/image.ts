// The image a container runs: the one named (pulled only when missing, with progress) or the local node image.
import type Docker from "dockerode";
import { SandboxUnavailableError } from "../../errors.js";
import type { Logger } from "../../log/logger.js";
import { dockerErrorMessage, drainProgress, isNotFound, type ProgressEvent } from "./client.js";
import { ensureLocalNodeImage } from "./local-image.js";

async function present(docker: Docker, name: string): Promise<boolean> {
  try {
    await docker.getImage(name).inspect();
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw new SandboxUnavailableError(`cannot inspect the image ${name}: ${dockerErrorMessage(error)}`, undefined, { cause: error });
  }
}

/** Progress lines for people: one per layer and status change, not one per byte count. */
function progressLogger(name: string, log: Logger): (event: ProgressEvent) => void {
  const last = new Map<string, string>();
  return (event) => {
    if (!event.status) return;
    const key = event.id ?? "";
    if (last.get(key) === event.status) return;
    last.set(key, event.status);
    log.info(`docker: pulling ${name}: ${event.id ? `${event.id}: ` : ""}${event.status}`);
  };
}

async function pull(docker: Docker, name: string, log: Logger, signal?: AbortSignal): Promise<void> {
  log.info(`docker: the image ${name} is not here; pulling it`);
  try {
    const stream = (await docker.pull(name, signal ? { abortSignal: signal } : {})) as NodeJS.ReadableStream;
    await drainProgress(docker, stream, progressLogger(name, log));
  } catch (error) {
    throw new SandboxUnavailableError(
      `the image ${name} is not here and cannot be pulled: ${dockerErrorMessage(error)}`,
      "pull or build it yourself (docker pull / docker build), or leave out --image to use a local image built from this machine's node",
      { cause: error },
    );
  }
}

/** The image to run: `requested` (pulled when missing), else the local node image (built when missing). */
export async function ensureImage(docker: Docker, requested: string | undefined, log: Logger, signal?: AbortSignal): Promise<string> {
  if (requested === undefined) {
    const name = await ensureLocalNodeImage({ docker, log, ...(signal ? { signal } : {}) });
    log.info(`docker: no --image given; using ${name}, built from this machine's node (pass --image for your own)`);
    return name;
  }
  if (!(await present(docker, requested))) await pull(docker, requested, log, signal);
  return requested;
}
