// A runtime whose copy is a directory on this machine: the same helper script, run by this node instead of an exec.
import { spawn } from "node:child_process";
import { chmod, lstat, mkdir, rm, symlink, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import tar from "tar-stream";
import { SyncError } from "../errors.js";
import { manifestFromRows } from "./rows.js";
import { SYNC_SCRIPT } from "./docker/script.js";
import type { Manifest, RuntimeStatCache, SyncRuntime } from "./types.js";

function runLocal(op: string, root: string, request: unknown, signal?: AbortSignal): { stdout: Readable; done: Promise<void> } {
  const child = spawn(process.execPath, ["-e", SYNC_SCRIPT, op, root], { stdio: ["pipe", "pipe", "pipe"], ...(signal ? { signal } : {}) });
  let errors = "";
  child.stderr.on("data", (chunk: Buffer) => (errors += chunk.toString("utf8")));
  child.stdin.end(JSON.stringify(request));
  const done = new Promise<void>((resolve, reject) => {
    child.once("error", (error) => reject(new SyncError(`the sync helper could not run: ${error.message}`)));
    child.once("close", (code) => (code === 0 ? resolve() : reject(new SyncError(`the sync helper failed (${op}, exit ${code}): ${errors.trim()}`))));
  });
  return { stdout: child.stdout, done };
}

async function json<T>(op: string, root: string, request: unknown, signal?: AbortSignal): Promise<T> {
  const run = runLocal(op, root, request, signal);
  const chunks: Buffer[] = [];
  run.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
  await run.done;
  return JSON.parse(Buffer.concat(chunks).toString("utf8")) as T;
}

export class DirectoryRuntime implements SyncRuntime {
  constructor(
    readonly root: string,
    readonly id: string = `dir:${root}`,
  ) {}

  async manifest(options: { prune: readonly string[]; cache: RuntimeStatCache }, signal?: AbortSignal): Promise<Manifest> {
    return manifestFromRows(await json("manifest", this.root, options, signal));
  }

  /** Extracts like the Docker Engine does: entries replace what is there, except a directory over a directory. */
  async put(archive: Readable, signal?: AbortSignal): Promise<void> {
    await mkdir(this.root, { recursive: true });
    const extract = tar.extract();
    archive.on("error", (error) => extract.destroy(error));
    archive.pipe(extract);
    for await (const entry of extract) {
      signal?.throwIfAborted();
      const { header } = entry;
      const target = path.join(this.root, header.name.replace(/\/+$/, ""));
      const existing = await lstat(target).catch(() => undefined);
      if (existing && !(existing.isDirectory() && header.type === "directory")) await rm(target, { recursive: true, force: true });
      await mkdir(path.dirname(target), { recursive: true });
      if (header.type === "directory") {
        await mkdir(target, { recursive: true });
        await chmod(target, header.mode);
        entry.resume();
      } else if (header.type === "symlink") {
        await symlink(header.linkname, target);
        entry.resume();
      } else {
        const chunks: Buffer[] = [];
        for await (const chunk of entry as unknown as AsyncIterable<Buffer>) chunks.push(chunk);
        await writeFile(target, Buffer.concat(chunks), { mode: header.mode });
        await chmod(target, header.mode);
        await utimes(target, header.mtime, header.mtime);
      }
    }
  }

  async remove(paths: readonly string[], signal?: AbortSignal): Promise<string[]> {
    return json("remove", this.root, paths, signal);
  }

  async fetch(paths: readonly string[], signal?: AbortSignal): Promise<Readable> {
    const run = runLocal("tar", this.root, paths, signal);
    run.done.catch((error: unknown) => run.stdout.destroy(error as Error));
    return run.stdout;
  }
}
