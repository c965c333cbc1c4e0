// The runtime's view of files in a copy-mode container (RuntimeFiles), through the Engine API's archive calls.
import path from "node:path";
import type Docker from "dockerode";
import tar from "tar-stream";
import { SyncError } from "../../errors.js";
import { dockerErrorMessage, isNotFound } from "../../sandbox/docker/client.js";
import type { FileStat, RuntimeFiles } from "../../sandbox/types.js";
import { scriptJson, type ScriptTarget } from "./exec.js";

/** Go's os.FileMode type bits, as the Engine reports them in a path stat. */
const GO_DIR = 2 ** 31;
const GO_SYMLINK = 2 ** 27;
const GO_TYPE_MASK = 0xfff00000 >>> 0;

interface PathStat {
  readonly name: string;
  readonly size: number;
  readonly mode: number;
  readonly linkTarget?: string;
}

/** Decodes the Engine's `X-Docker-Container-Path-Stat` header into a FileStat. */
export function fileStatFromHeader(header: string): FileStat {
  const stat = JSON.parse(Buffer.from(header, "base64").toString("utf8")) as PathStat;
  const mode = stat.mode >>> 0;
  const type = mode & GO_DIR ? "directory" : mode & GO_SYMLINK ? "symlink" : (mode & GO_TYPE_MASK) === 0 ? "file" : "other";
  return { type, size: stat.size, mode: mode & 0o7777 };
}

function notFound(runtimePath: string, error: unknown): SyncError {
  return new SyncError(`${runtimePath} does not exist in the container`, { cause: error });
}

export class DockerRuntimeFiles implements RuntimeFiles {
  readonly #container: Docker.Container;
  readonly #owner: { uid: number; gid: number };
  readonly #script: ScriptTarget;

  constructor(container: Docker.Container, owner: { uid: number; gid: number }, node = "node") {
    this.#container = container;
    this.#owner = owner;
    this.#script = { container, user: `${owner.uid}:${owner.gid}`, node };
  }

  async readFile(runtimePath: string): Promise<Buffer> {
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.#container.getArchive({ path: runtimePath });
    } catch (error) {
      if (isNotFound(error)) throw notFound(runtimePath, error);
      throw new SyncError(`cannot read ${runtimePath} in the container: ${dockerErrorMessage(error)}`, { cause: error });
    }
    const extract = tar.extract();
    (stream as unknown as { pipe(dest: unknown): void }).pipe(extract);
    let content: Buffer | undefined;
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry as unknown as AsyncIterable<Buffer>) chunks.push(chunk);
      if (content === undefined && (entry.header.type === "file" || entry.header.type === "contiguous-file")) content = Buffer.concat(chunks);
    }
    if (content === undefined) throw new SyncError(`${runtimePath} is not a regular file in the container`);
    return content;
  }

  async writeFile(runtimePath: string, data: Buffer, options: { mode?: number } = {}): Promise<void> {
    const pack = tar.pack();
    pack.entry({ name: path.posix.basename(runtimePath), type: "file", mode: options.mode ?? 0o644, uid: this.#owner.uid, gid: this.#owner.gid, mtime: new Date() }, data);
    pack.finalize();
    try {
      await this.#container.putArchive(pack as unknown as NodeJS.ReadableStream, { path: path.posix.dirname(runtimePath) });
    } catch (error) {
      if (isNotFound(error)) throw notFound(path.posix.dirname(runtimePath), error);
      throw new SyncError(`cannot write ${runtimePath} in the container: ${dockerErrorMessage(error)}`, { cause: error });
    }
  }

  async stat(runtimePath: string): Promise<FileStat | undefined> {
    try {
      const response = (await this.#container.infoArchive({ path: runtimePath })) as { headers: Record<string, string | undefined> };
      const header = response.headers["x-docker-container-path-stat"];
      if (!header) throw new SyncError(`the Engine did not describe ${runtimePath}`);
      return fileStatFromHeader(header);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      if (error instanceof SyncError) throw error;
      throw new SyncError(`cannot stat ${runtimePath} in the container: ${dockerErrorMessage(error)}`, { cause: error });
    }
  }

  async realpath(runtimePath: string): Promise<string> {
    return scriptJson<string>(this.#script, "realpath", runtimePath, null);
  }
}
