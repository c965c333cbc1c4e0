// Extracts a tar from the runtime onto the host: every entry judged, every write atomic, refusals reported.
import { chmod } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import tar from "tar-stream";
import { ensureDir, symlinkAtomic, UnsafeHostPathError, writeFileAtomic } from "./atomic.js";
import { MODE_MASK } from "./entries.js";
import { judgeEntry } from "./safe-entry.js";
import type { EntryType, SyncSkip } from "./types.js";

/** Where an accepted entry goes (a workspace-relative path), or why it is not wanted. */
export type Placement = { readonly dest: string } | { readonly refuse: string };

export interface Landed {
  readonly rel: string;
  readonly dest: string;
  readonly type: EntryType;
  readonly mode: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly hash?: string;
  readonly target?: string;
}

export interface Extracted {
  readonly landed: Landed[];
  readonly refused: SyncSkip[];
}

/**
 * Reads `archive` to its end. Entries that are unsafe (absolute, `..`, devices, hard links, links outside),
 * or that `place` does not want, are skipped and reported; the rest are written under `root`.
 */
export async function extractToHost(
  root: string,
  archive: Readable,
  place: (rel: string, type: EntryType) => Placement,
  options: { signal?: AbortSignal; onFile?: (size: number) => void } = {},
): Promise<Extracted> {
  const landed: Landed[] = [];
  const refused: SyncSkip[] = [];
  const extract = tar.extract();
  archive.on("error", (error) => extract.destroy(error));
  archive.pipe(extract);
  for await (const entry of extract) {
    options.signal?.throwIfAborted();
    const header = entry.header;
    const judged = judgeEntry(header, root);
    const refuse = (reason: string) => {
      refused.push({ path: judged.rel || header.name, reason });
      entry.resume();
    };
    if ("refused" in judged) {
      refuse(`refused: ${judged.refused}`);
      continue;
    }
    if (judged.rel === "") {
      entry.resume();
      continue;
    }
    const placement = place(judged.rel, judged.type);
    if ("refuse" in placement) {
      refuse(placement.refuse);
      continue;
    }
    const mode = (header.mode ?? 0o644) & MODE_MASK;
    try {
      switch (judged.type) {
        case "file": {
          const written = await writeFileAtomic(root, placement.dest, entry as unknown as AsyncIterable<Uint8Array>, mode);
          landed.push({ rel: judged.rel, dest: placement.dest, type: "file", ...written });
          options.onFile?.(written.size);
          break;
        }
        case "dir":
          await ensureDir(root, placement.dest, mode);
          await chmod(path.join(root, placement.dest), mode);
          landed.push({ rel: judged.rel, dest: placement.dest, type: "dir", mode, size: 0, mtimeMs: 0 });
          entry.resume();
          break;
        case "symlink": {
          const target = header.linkname ?? "";
          const mtimeMs = await symlinkAtomic(root, placement.dest, target);
          landed.push({ rel: judged.rel, dest: placement.dest, type: "symlink", mode: 0o777, size: 0, mtimeMs, target });
          entry.resume();
          break;
        }
      }
    } catch (error) {
      if (!(error instanceof UnsafeHostPathError)) throw error;
      refuse(`refused: ${error.message}`);
    }
  }
  return { landed, refused };
}
