// The Docker runtime for sync: archives in and out through the Engine API, listings and removals by exec.
import type { Readable } from "node:stream";
import type Docker from "dockerode";
import { SyncError } from "../../errors.js";
import { dockerErrorMessage } from "../../sandbox/docker/client.js";
import { manifestFromRows, type Row } from "../rows.js";
import type { Manifest, RuntimeStatCache, SyncRuntime } from "../types.js";
import { runScript, type ScriptTarget, scriptJson } from "./exec.js";

export interface DockerSyncRuntimeOptions {
  readonly container: Docker.Container;
  /** Runtime path of the workspace copy. */
  readonly root: string;
  /** `uid:gid` of the sandbox's user. */
  readonly user: string;
  /** node inside the container (default: `node` on the image's PATH). */
  readonly node?: string;
}

export class DockerSyncRuntime implements SyncRuntime {
  readonly root: string;
  readonly id: string;
  readonly #container: Docker.Container;
  readonly #script: ScriptTarget;

  constructor(options: DockerSyncRuntimeOptions) {
    this.root = options.root;
    this.id = options.container.id;
    this.#container = options.container;
    this.#script = { container: options.container, user: options.user, node: options.node ?? "node" };
  }

  async manifest(options: { prune: readonly string[]; cache: RuntimeStatCache }, signal?: AbortSignal): Promise<Manifest> {
    return manifestFromRows(await scriptJson<Row[]>(this.#script, "manifest", this.root, options, signal));
  }

  async put(tar: Readable, signal?: AbortSignal): Promise<void> {
    let failed: unknown;
    tar.once("error", (error) => (failed = error));
    try {
      await this.#container.putArchive(tar as unknown as NodeJS.ReadableStream, { path: this.root, ...(signal ? { abortSignal: signal } : {}) });
    } catch (error) {
      throw new SyncError(`cannot copy into the container: ${dockerErrorMessage(failed ?? error)}`, { cause: failed ?? error });
    }
    if (failed) throw failed;
  }

  async remove(paths: readonly string[], signal?: AbortSignal): Promise<string[]> {
    return scriptJson<string[]>(this.#script, "remove", this.root, paths, signal);
  }

  async fetch(paths: readonly string[], signal?: AbortSignal): Promise<Readable> {
    const run = await runScript(this.#script, "tar", this.root, paths, signal);
    run.done.catch((error: unknown) => run.stdout.destroy(error as Error));
    return run.stdout;
  }
}
