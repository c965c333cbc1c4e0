// Packs host workspace entries into a tar for the runtime, checking each file is what the scan saw.
import { createHash } from "node:crypto";
import { createReadStream, lstatSync, readFileSync } from "node:fs";
import path from "node:path";
import { PassThrough } from "node:stream";
import { MODE_MASK, retargetLink } from "./entries.js";
import { END, headerBlocks, padding } from "./tar-writer.js";
import type { ManifestEntry } from "./types.js";

export interface PackItem {
  readonly rel: string;
  readonly entry: ManifestEntry;
}

export interface Owner {
  readonly uid: number;
  readonly gid: number;
}

/** What was sent for a file: its hash and size as read (the host may have changed it since the scan). */
export interface Sent {
  readonly hash: string;
  readonly size: number;
  /** mtime written into the archive, whole seconds, as the runtime will keep it. */
  readonly mtimeMs: number;
  /** The file is not what the scan saw (its stat or content differ): the scan's host stat does not describe it. */
  readonly changed: boolean;
}

export class FileChangedError extends Error {}

/** Files up to this size are read whole (fast for many small files); larger ones are streamed. */
const BUFFERED = 8 << 20;

function write(out: PassThrough, chunk: Buffer): Promise<void> | undefined {
  if (out.write(chunk)) return undefined;
  return new Promise((resolve) => {
    const done = () => {
      out.off("drain", done);
      out.off("close", done);
      resolve();
    };
    out.on("drain", done);
    out.on("close", done);
  });
}

/** Small pieces (headers, small files, padding) are copied into one buffer and written a megabyte at a time. */
const STAGE = 1 << 20;

class Stager {
  #stage = Buffer.allocUnsafe(STAGE);
  #used = 0;

  constructor(private readonly out: PassThrough) {}

  /** Queues `chunk`; resolves (when it must wait at all) once the stream can take more. */
  push(chunk: Buffer): Promise<void> | undefined {
    if (chunk.length === 0) return undefined;
    if (chunk.length > STAGE / 4) {
      const flushed = this.flush();
      return flushed ? flushed.then(() => write(this.out, chunk)) : write(this.out, chunk);
    }
    if (this.#used + chunk.length > STAGE) {
      const flushed = this.flush();
      chunk.copy(this.#stage, 0);
      this.#used = chunk.length;
      return flushed;
    }
    chunk.copy(this.#stage, this.#used);
    this.#used += chunk.length;
    return undefined;
  }

  /** Writes what is staged (a fresh buffer takes its place: the stream keeps the old one until it is read). */
  flush(): Promise<void> | undefined {
    if (this.#used === 0) return undefined;
    const full = this.#stage.subarray(0, this.#used);
    this.#stage = Buffer.allocUnsafe(STAGE);
    this.#used = 0;
    return write(this.out, full);
  }
}

function gone(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ENOTDIR";
}

/**
 * A tar of `items` (parents before children), names relative to the runtime root. `sent` resolves once the
 * archive is complete, with what each file carried; a file deleted since the scan is left out (and out of `sent`).
 */
export function packHost(
  root: string,
  runtimeRoot: string,
  items: readonly PackItem[],
  owner: Owner,
  onFile: (size: number) => void = () => {},
): { tar: PassThrough; sent: Promise<Map<string, Sent>> } {
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  const sent = new Map<string, Sent>();
  const base = { uid: owner.uid, gid: owner.gid };
  const stager = new Stager(out);
  const emit = async (chunks: Buffer[]) => {
    for (const chunk of chunks) {
      const wait = stager.push(chunk);
      if (wait) await wait;
    }
  };
  const done = (async () => {
    for (const { rel, entry } of items) {
      if (out.destroyed) throw new Error("the archive stream was closed");
      const mtime = Math.floor(entry.mtimeMs / 1000) * 1000;
      const mode = entry.mode & MODE_MASK;
      switch (entry.type) {
        case "dir":
          await emit(headerBlocks({ ...base, name: `${rel}/`, type: "directory", size: 0, mode, mtime }));
          break;
        case "symlink":
          await emit(headerBlocks({ ...base, name: rel, type: "symlink", size: 0, mode: 0o777, mtime, linkname: retargetLink(entry.target ?? "", root, runtimeRoot) }));
          break;
        case "file": {
          const file = path.join(root, rel);
          if (entry.size <= BUFFERED) {
            let data: Buffer;
            let after;
            try {
              data = readFileSync(file);
              after = lstatSync(file);
            } catch (error) {
              if (gone(error)) continue;
              throw error;
            }
            // Unchanged since the scan (same size and mtime): the scan's hash holds, if it took one; else hash what is sent.
            const sameStat = after.size === entry.size && after.mtimeMs === entry.mtimeMs && data.length === entry.size;
            const hash = sameStat && entry.hash ? entry.hash : createHash("sha256").update(data).digest("hex");
            sent.set(rel, { hash, size: data.length, mtimeMs: mtime, changed: !sameStat || (entry.hash !== undefined && hash !== entry.hash) });
            await emit([...headerBlocks({ ...base, name: rel, type: "file", size: data.length, mode, mtime }), data, padding(data.length)]);
            onFile(data.length);
            break;
          }
          await emit(headerBlocks({ ...base, name: rel, type: "file", size: entry.size, mode, mtime }));
          await stager.flush();
          const hash = createHash("sha256");
          let seen = 0;
          for await (const chunk of createReadStream(file)) {
            const buffer = chunk as Buffer;
            seen += buffer.length;
            if (seen > entry.size) throw new FileChangedError(`${rel} grew while it was being synced; sync again`);
            hash.update(buffer);
            await write(out, buffer);
          }
          if (seen !== entry.size) throw new FileChangedError(`${rel} shrank while it was being synced; sync again`);
          await emit([padding(seen)]);
          const digest = hash.digest("hex");
          let sameStat = false;
          try {
            sameStat = lstatSync(file).mtimeMs === entry.mtimeMs;
          } catch {
            // gone now: what was sent stands, but the scan's stat no longer describes anything
          }
          sent.set(rel, { hash: digest, size: seen, mtimeMs: mtime, changed: !sameStat || (entry.hash !== undefined && digest !== entry.hash) });
          onFile(seen);
          break;
        }
      }
    }
    await emit([END]);
    await stager.flush();
    out.end();
    return sent;
  })();
  done.catch((error: unknown) => out.destroy(error as Error));
  return { tar: out, sent: done };
}
