// Text from bytes: refuses binary content, and cuts out `limit` lines from 1-based `line`, endings kept.
import { FileContentError } from "../errors.js";

const SNIFF_BYTES = 8192;
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** Decodes UTF-8, refusing what is not text (a NUL byte early on, or invalid UTF-8) with a message naming the file. */
export function decodeText(bytes: Uint8Array, shownPath: string): string {
  if (bytes.subarray(0, SNIFF_BYTES).includes(0)) {
    throw new FileContentError(`acp-sandbox: ${shownPath} is a binary file (it contains NUL bytes); only text files can be read`, { path: shownPath, reason: "binary" });
  }
  try {
    return decoder.decode(bytes);
  } catch {
    throw new FileContentError(`acp-sandbox: ${shownPath} is not valid UTF-8 text; only text files can be read`, { path: shownPath, reason: "not-utf8" });
  }
}

/** Lines `line`..`line+limit-1` (1-based), each with its own line ending; past the end, "". */
export function sliceLines(text: string, line: number | undefined, limit: number | undefined): string {
  if (line === undefined && limit === undefined) return text;
  const start = (line ?? 1) - 1;
  let offset = 0;
  for (let i = 0; i < start; i++) {
    const next = text.indexOf("\n", offset);
    if (next === -1) return "";
    offset = next + 1;
  }
  if (limit === undefined) return text.slice(offset);
  let end = offset;
  for (let i = 0; i < limit; i++) {
    const next = text.indexOf("\n", end);
    if (next === -1) return text.slice(offset);
    end = next + 1;
  }
  return text.slice(offset, end);
}
