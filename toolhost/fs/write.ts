// Writes a text file atomically inside the allowed roots: temp file in the pinned directory, fsync, rename; mode kept.
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { open, rename, unlink } from "node:fs/promises";
import { FileIoError, PathRefusedError } from "../errors.js";
import type { AllowedRoot } from "../paths.js";
import { locate } from "./locate.js";

export interface WriteRequest {
  /** Host path, checked and normalized. */
  readonly hostPath: string;
  readonly requested: string;
  readonly content: string;
  /** The real path the policy approved: the write is refused if the path now leads elsewhere. */
  readonly approvedReal?: string;
}

function errno(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** Writes; returns the real path written. */
export async function writeTextFile(request: WriteRequest, roots: readonly AllowedRoot[]): Promise<string> {
  const place = await locate(request.hostPath, roots, { create: true, requested: request.requested });
  if (place.kind !== "pinned") throw new FileIoError(`acp-sandbox: could not create the directories for ${request.requested}`, { path: request.requested });
  try {
    if (request.approvedReal !== undefined && place.real !== request.approvedReal) {
      throw new PathRefusedError(`acp-sandbox: ${request.requested} changed while it was being checked (it now leads to ${place.real}, not ${request.approvedReal})`, { path: request.requested, reason: "swapped" });
    }
    if (!place.root.writable) {
      throw new PathRefusedError(`acp-sandbox: ${request.requested} lies in ${place.root.path}, which is read-only`, { path: request.requested, reason: "read-only" });
    }
    const old = place.stat;
    if (old && old.isDirectory()) throw new PathRefusedError(`acp-sandbox: ${request.requested} is a directory, not a file`, { path: request.requested, reason: "directory" });
    if (old && !old.isFile()) throw new PathRefusedError(`acp-sandbox: ${request.requested} is not a regular file`, { path: request.requested, reason: "not-a-file" });
    const temp = `.${place.leaf.slice(0, 100)}.acp-sandbox-${randomBytes(6).toString("hex")}.tmp`;
    const tempPath = place.at(temp);
    let file;
    try {
      // A new file gets 0666 less the umask; an existing file's mode is restored with fchmod below.
      file = await open(tempPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, old ? 0o600 : 0o666);
    } catch (error) {
      throw new FileIoError(`acp-sandbox: cannot create a temporary file beside ${request.requested}: ${errno(error) ?? String(error)}`, { path: request.requested }, { cause: error });
    }
    try {
      try {
        await file.writeFile(request.content, "utf8");
        if (old) await file.chmod(old.mode & 0o7777);
        await file.sync();
      } finally {
        await file.close();
      }
      // rename replaces whatever sits at the leaf now (even a link swapped in) and never follows it.
      await rename(tempPath, place.at(place.leaf));
    } catch (error) {
      await unlink(tempPath).catch(() => {});
      throw new FileIoError(`acp-sandbox: cannot write ${request.requested}: ${errno(error) ?? String(error)}`, { path: request.requested }, { cause: error });
    }
    await place.dir.sync().catch(() => {});
    return place.real;
  } finally {
    await place.close();
  }
}
