// Packs host workspace entries into a tar for the runtime, hashing each file as it is actually sent.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { PassThrough } from "node:stream";
import tar from "tar-stream";
import { MODE_MASK, retargetLink } from "./entries.js";
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
}

export class FileChangedError extends Error {}

const BUFFERED = 16 << 20;

/**
 * A tar of `items` (parents before children), names relative to the runtime root. `sent` resolves once the
 * archive is complete, with what each file carried.
 */
export function packHost(
  root: string,
  runtimeRoot: string,
  items: readonly PackItem[],
  owner: Owner,
  onFile: (size: number) => void = () => {},
): { tar: PassThrough; sent: Promise<Map<string, Sent>> } {
  const pack = tar.pack();
  const out = new PassThrough();
  const sent = new Map<string, Sent>();
  const done = (async () => {
    const base = { uid: owner.uid, gid: owner.gid };
    for (const { rel, entry } of items) {
      const mtime = new Date(Math.floor(entry.mtimeMs / 1000) * 1000);
      const mode = entry.mode & MODE_MASK;
      switch (entry.type) {
        case "dir":
          pack.entry({ ...base, name: `${rel}/`, type: "directory", mode, mtime });
          break;
        case "symlink":
          pack.entry({ ...base, name: rel, type: "symlink", linkname: retargetLink(entry.target ?? "", root, runtimeRoot), mode: 0o777, mtime });
          break;
        case "file": {
          const file = path.join(root, rel);
          if (entry.size <= BUFFERED) {
            const data = await readFile(file);
            sent.set(rel, { hash: createHash("sha256").update(data).digest("hex"), size: data.length, mtimeMs: mtime.getTime() });
            await new Promise<void>((resolve, reject) => pack.entry({ ...base, name: rel, type: "file", mode, mtime, size: data.length }, data, (e) => (e ? reject(e) : resolve())));
            onFile(data.length);
            break;
          }
          const hash = createHash("sha256");
          let seen = 0;
          const finished = new Promise<void>((resolve, reject) => {
            const sink = pack.entry({ ...base, name: rel, type: "file", mode, mtime, size: entry.size }, (e) => (e ? reject(e) : resolve()));
            void (async () => {
              for await (const chunk of createReadStream(file)) {
                const buffer = chunk as Buffer;
                seen += buffer.length;
                if (seen > entry.size) throw new FileChangedError(`${rel} grew while it was being synced; sync again`);
                hash.update(buffer);
                if (!sink.write(buffer)) await new Promise<void>((drained) => sink.once("drain", () => drained()));
              }
              if (seen !== entry.size) throw new FileChangedError(`${rel} shrank while it was being synced; sync again`);
              sink.end(null);
            })().catch(reject);
          });
          await finished;
          sent.set(rel, { hash: hash.digest("hex"), size: seen, mtimeMs: mtime.getTime() });
          onFile(seen);
          break;
        }
      }
    }
    pack.finalize();
    return sent;
  })();
  pack.pipe(out);
  done.catch((error: unknown) => {
    pack.destroy(error as Error);
    out.destroy(error as Error);
  });
  return { tar: out, sent: done };
}
