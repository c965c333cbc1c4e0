// Builds (once, cached by a content tag) a Docker image from this machine's own node: no registry needed.
import { createReadStream, statSync } from "node:fs";
import { pipeline } from "node:stream/promises";
import type Docker from "dockerode";
import tar from "tar-stream";
import { SandboxUnavailableError } from "../../errors.js";
import type { Logger } from "../../log/logger.js";
import { dockerClient, dockerErrorMessage, drainProgress, isNotFound } from "./client.js";
import { IMAGE_CHANGES, type ImageEntry, type ImagePlan, localImagePlan } from "./local-image-plan.js";

export interface LocalImageOptions {
  readonly docker?: Docker;
  readonly log?: Logger;
  readonly signal?: AbortSignal;
  /** The node binary to package; this process's own by default. */
  readonly node?: string;
}

/** `repository:tag` of the local node image for this machine. */
export function localNodeImageName(plan: ImagePlan = localImagePlan()): string {
  return `${plan.repository}:${plan.tag}`;
}

/** Streams the plan as a tar archive (the root filesystem `docker import` expects). */
export function packImage(entries: readonly ImageEntry[]): tar.Pack {
  const pack = tar.pack();
  void (async () => {
    try {
      for (const entry of entries) {
        const name = entry.path.replace(/^\//, "");
        switch (entry.kind) {
          case "dir":
            pack.entry({ name: name + "/", type: "directory", mode: entry.mode, uid: 0, gid: 0 });
            break;
          case "symlink":
            pack.entry({ name, type: "symlink", linkname: entry.target, mode: 0o777, uid: 0, gid: 0 });
            break;
          case "text":
            pack.entry({ name, type: "file", mode: entry.mode, uid: 0, gid: 0 }, entry.content);
            break;
          case "file": {
            const size = statSync(entry.source).size;
            const sink = pack.entry({ name, type: "file", mode: entry.mode, size, uid: 0, gid: 0 });
            await pipeline(createReadStream(entry.source), sink);
            break;
          }
        }
      }
      pack.finalize();
    } catch (error) {
      pack.destroy(error as Error);
    }
  })();
  return pack;
}

async function imageExists(docker: Docker, name: string): Promise<boolean> {
  try {
    await docker.getImage(name).inspect();
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

/**
 * Makes sure the local node image exists and returns its name. It holds this machine's node binary
 * and shared libraries and a shell (busybox, else the host's own tools), so the bundled fixture agent
 * and the demo run under `--sandbox docker` without pulling anything.
 */
export async function ensureLocalNodeImage(options: LocalImageOptions = {}): Promise<string> {
  const docker = options.docker ?? dockerClient();
  const plan = localImagePlan(options.node);
  const name = localNodeImageName(plan);
  try {
    if (await imageExists(docker, name)) return name;
    options.log?.info(`docker: building the local image ${name} from this machine's node (${plan.node}) and ${plan.shell}`);
    const importOptions: Record<string, unknown> = { repo: plan.repository, tag: plan.tag, changes: IMAGE_CHANGES };
    if (options.signal) importOptions["abortSignal"] = options.signal;
    const response: NodeJS.ReadableStream = await docker.importImage(packImage(plan.entries) as unknown as NodeJS.ReadableStream, importOptions);
    await drainProgress(docker, response);
  } catch (error) {
    if (error instanceof SandboxUnavailableError) throw error;
    throw new SandboxUnavailableError(`cannot build the local image ${name}: ${dockerErrorMessage(error)}`, "check `acp-sandbox doctor`, or pass --image", { cause: error });
  }
  if (!(await imageExists(docker, name))) throw new SandboxUnavailableError(`the local image ${name} was imported but cannot be found`);
  return name;
}
