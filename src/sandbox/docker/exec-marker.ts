// The first line a docker exec prints (its pid, or that its command is missing), read and removed from the output.
import { Transform } from "node:stream";

/** The shell wrapper: report the pid (or a missing command) on stderr, then become the command. */
export const EXEC_WRAPPER = [
  "/bin/sh",
  "-c",
  'command -v "$1" >/dev/null 2>&1 || { printf "\\036acp-sandbox-missing %s\\n" "$1" >&2; exit 127; }; printf "\\036acp-sandbox-pid %s\\n" "$$" >&2; exec "$@"',
  "acp-sandbox-exec",
];

export type Marker = { readonly kind: "pid"; readonly pid: number } | { readonly kind: "missing"; readonly command: string } | { readonly kind: "none" };

export function parseMarker(line: string): Marker | undefined {
  const m = /^\x1eacp-sandbox-(pid|missing) (.*?)\r?$/.exec(line);
  if (!m) return undefined;
  if (m[1] === "pid") return { kind: "pid", pid: Number(m[2]) };
  return { kind: "missing", command: m[2]! };
}

/**
 * Passes a stream through, except for the marker line, which it removes and reports once. The
 * report is `none` when the stream ends (or its first line is something else) without one.
 */
export function markerFilter(onMarker: (marker: Marker) => void): Transform {
  let head: Buffer | undefined = Buffer.alloc(0);
  let reported = false;
  const report = (marker: Marker) => {
    if (reported) return;
    reported = true;
    onMarker(marker);
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (head === undefined) return callback(null, chunk);
      head = Buffer.concat([head, chunk]);
      const newline = head.indexOf(0x0a);
      if (newline === -1 && head.length < 256) return callback();
      const line = head.subarray(0, newline === -1 ? head.length : newline).toString("utf8");
      const marker = parseMarker(line);
      const rest = marker ? head.subarray(newline + 1) : head;
      head = undefined;
      report(marker ?? { kind: "none" });
      callback(null, rest.length > 0 ? rest : undefined);
    },
    flush(callback) {
      const leftover = head;
      head = undefined;
      const marker = leftover && leftover.length > 0 ? parseMarker(leftover.toString("utf8")) : undefined;
      report(marker ?? { kind: "none" });
      callback(null, marker || !leftover || leftover.length === 0 ? undefined : leftover);
    },
  });
}
