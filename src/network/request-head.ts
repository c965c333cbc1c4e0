// Reads and parses one HTTP request head from a client socket, with a size cap and a deadline.
import type { Socket } from "node:net";

export interface RequestHead {
  readonly method: string;
  readonly target: string;
  readonly version: string;
  /** Header names lower-cased, in order; repeated names kept. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** Bytes that came after the head (the start of a body or of a TLS handshake). */
  readonly rest: Buffer;
}

export type HeadResult =
  | { readonly kind: "head"; readonly head: RequestHead }
  | { readonly kind: "bad"; readonly status: number; readonly reason: string }
  | { readonly kind: "gone" };

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function parseHead(bytes: Buffer, rest: Buffer): HeadResult {
  const lines = bytes.toString("latin1").split("\r\n");
  const request = /^([^ ]+) ([^ ]+) HTTP\/(1\.[01])$/.exec(lines[0] ?? "");
  if (!request || !TOKEN.test(request[1]!)) return { kind: "bad", status: 400, reason: "malformed request line" };
  const headers: Array<[string, string]> = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon <= 0) return { kind: "bad", status: 400, reason: "malformed header line" };
    const name = line.slice(0, colon);
    if (!TOKEN.test(name)) return { kind: "bad", status: 400, reason: "malformed header name" };
    const value = line.slice(colon + 1).trim();
    if (/[\0\r\n]/.test(value)) return { kind: "bad", status: 400, reason: "malformed header value" };
    headers.push([name.toLowerCase(), value]);
  }
  return { kind: "head", head: { method: request[1]!, target: request[2]!, version: request[3]!, headers, rest } };
}

/** Waits for `\r\n\r\n`; refuses a head over `maxBytes` (431) or one not finished within `timeoutMs` (408). */
export function readHead(socket: Socket, maxBytes: number, timeoutMs: number): Promise<HeadResult> {
  return new Promise((resolve) => {
    let buffered: Buffer = Buffer.alloc(0);
    let done = false;
    const finish = (result: HeadResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.off("data", onData);
      socket.off("end", onGone);
      socket.off("close", onGone);
      socket.off("error", onGone);
      socket.pause();
      resolve(result);
    };
    const onGone = () => finish({ kind: "gone" });
    const onData = (chunk: Buffer) => {
      buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
      const end = buffered.indexOf("\r\n\r\n");
      if (end === -1) {
        if (buffered.length > maxBytes) finish({ kind: "bad", status: 431, reason: `request head larger than ${maxBytes} bytes` });
        return;
      }
      if (end > maxBytes) return finish({ kind: "bad", status: 431, reason: `request head larger than ${maxBytes} bytes` });
      finish(parseHead(buffered.subarray(0, end), buffered.subarray(end + 4)));
    };
    const timer = setTimeout(() => finish({ kind: "bad", status: 408, reason: `request head not received within ${timeoutMs} ms` }), timeoutMs);
    socket.on("data", onData);
    socket.on("end", onGone);
    socket.on("close", onGone);
    socket.on("error", onGone);
    socket.resume();
  });
}

export function header(head: RequestHead, name: string): string | undefined {
  return head.headers.find(([n]) => n === name)?.[1];
}
