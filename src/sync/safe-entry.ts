// Judges one archive entry from the runtime before anything reaches the host: names, types, link targets.
import type { Header } from "tar-stream";
import { linkStaysInside } from "./entries.js";
import type { EntryType } from "./types.js";

export type Judged = { readonly rel: string; readonly type: EntryType } | { readonly rel: string; readonly refused: string };

/** `./a/b/` → `a/b`; the archive root becomes "". */
export function entryName(name: string): string {
  let rel = name;
  while (rel.startsWith("./")) rel = rel.slice(2);
  return rel.replace(/\/+$/, "");
}

/** Accepts regular files, directories and symlinks that stay inside `root`; refuses everything else, saying why. */
export function judgeEntry(header: Header, root: string): Judged {
  const rel = entryName(header.name);
  if (header.name.includes("\0")) return { rel, refused: "a name with a NUL byte" };
  if (header.name.startsWith("/")) return { rel, refused: "an absolute path" };
  if (rel.split("/").some((part) => part === "..")) return { rel, refused: "a path with .." };
  if (rel === "" && header.type !== "directory") return { rel, refused: "an entry for the workspace root itself" };
  switch (header.type) {
    case "file":
    case "contiguous-file":
      return { rel, type: "file" };
    case "directory":
      return { rel, type: "dir" };
    case "symlink": {
      const target = header.linkname ?? "";
      if (!linkStaysInside(root, rel, target)) return { rel, refused: `a symlink to ${target || "nothing"} that points outside the workspace` };
      return { rel, type: "symlink" };
    }
    case "link":
      return { rel, refused: `a hard link to ${header.linkname ?? "?"}` };
    case "character-device":
    case "block-device":
      return { rel, refused: "a device file" };
    case "fifo":
      return { rel, refused: "a named pipe" };
    default:
      return { rel, refused: `an unsupported entry type (${String(header.type)})` };
  }
}
