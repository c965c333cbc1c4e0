// Reads a text file inside the allowed roots: leaf opened without following links, regular files only, size capped.
import { constants } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { FileContentError, FileIoError, NotFoundError, PathRefusedError } from "../errors.js";
import type { AllowedRoot } from "../paths.js";
import { locate } from "./locate.js";
import { decodeText, sliceLines } from "./text.js";

export interface ReadRequest {
  /** Host path, checked and normalized. */
  readonly hostPath: string;
  /** As the agent sent it, for messages. */
  readonly requested: string;
  readonly line?: number | undefined;
  readonly limit?: number | undefined;
  /** The real path the policy approved: the read is refused if the path now leads elsewhere. */
  readonly approvedReal?: string;
}

function errno(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

export async function readTextFile(request: ReadRequest, roots: readonly AllowedRoot[], maxBytes: number): Promise<string> {
  const place = await locate(request.hostPath, roots, { create: false, requested: request.requested });
  if (place.kind === "unborn") throw new NotFoundError(`acp-sandbox: ${request.requested} does not exist`, { path: request.requested });
  let file: FileHandle;
  try {
    if (request.approvedReal !== undefined && place.real !== request.approvedReal) {
      throw new PathRefusedError(`acp-sandbox: ${request.requested} changed while it was being checked (it now leads to ${place.real}, not ${request.approvedReal})`, { path: request.requested, reason: "swapped" });
    }
    if (!place.stat) throw new NotFoundError(`acp-sandbox: ${request.requested} does not exist`, { path: request.requested });
    if (place.stat.isDirectory()) throw new PathRefusedError(`acp-sandbox: ${request.requested} is a directory, not a file`, { path: request.requested, reason: "directory" });
    try {
      // O_NONBLOCK: a FIFO swapped in must not hang the open; O_NOFOLLOW: nor may a link swapped in redirect it.
      file = await open(place.at(place.leaf), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch (error) {
      if (errno(error) === "ELOOP") throw new PathRefusedError(`acp-sandbox: ${request.requested} was replaced by a symbolic link while being opened`, { path: request.requested, reason: "swapped" });
      if (errno(error) === "ENOENT") throw new NotFoundError(`acp-sandbox: ${request.requested} does not exist`, { path: request.requested });
      throw new FileIoError(`acp-sandbox: cannot open ${request.requested}: ${errno(error) ?? String(error)}`, { path: request.requested }, { cause: error });
    }
  } finally {
    await place.close();
  }
  try {
    const stat = await file.stat();
    if (!stat.isFile()) throw new FileContentError(`acp-sandbox: ${request.requested} is not a regular file`, { path: request.requested, reason: "not-a-file" });
    if (stat.size > maxBytes) {
      throw new FileContentError(`acp-sandbox: ${request.requested} is too large to read (${stat.size} bytes; the limit is ${maxBytes})`, { path: request.requested, reason: "too-large", size: stat.size, limit: maxBytes });
    }
    const bytes = await readAtMost(file, maxBytes, request.requested);
    return sliceLines(decodeText(bytes, request.requested), request.line, request.limit);
  } finally {
    await file.close();
  }
}

/** Reads the whole file, refusing it if it grows past `maxBytes` while being read. */
async function readAtMost(file: FileHandle, maxBytes: number, requested: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const buffer = Buffer.allocUnsafe(64 * 1024);
    const { bytesRead } = await file.read(buffer, 0, buffer.length, null);
    if (bytesRead === 0) break;
    total += bytesRead;
    if (total > maxBytes) throw new FileContentError(`acp-sandbox: ${requested} is too large to read (more than ${maxBytes} bytes)`, { path: requested, reason: "too-large", limit: maxBytes });
    chunks.push(buffer.subarray(0, bytesRead));
  }
  return Buffer.concat(chunks, total);
}
