// ND-JSON framing: splits a byte stream into lines (bounded in size) and writes messages one per line.
import type { Readable, Writable } from "node:stream";

import type { JsonObject } from "../src/util/json.js";
import { scanLine } from "./line-scan.js";

export type { JsonObject, JsonValue } from "../src/util/json.js";

export const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;

const CR = 13;

/** Lines at least this long are written at once rather than batched (a stream's default high-water mark). */
const BATCH_LINE_LIMIT = 16 * 1024;

/** What the line reader hands on: a parsed object, or the reason a line could not be one. */
export type WireEvent =
  | {
      readonly kind: "message";
      readonly message: JsonObject;
      /** The line as it arrived (newline included; a CRLF ending becomes LF): forwards the message unchanged without serializing it again. */
      readonly line: Buffer;
    }
  | {
      /** A notification the reader was told to pass through: checked to be one valid JSON object, not parsed. */
      readonly kind: "forward";
      readonly method: string;
      /** The line as it arrived, ending in LF. */
      readonly line: Buffer;
    }
  | { readonly kind: "invalid"; readonly reason: "not-json" | "not-object" | "too-large" | "truncated"; readonly detail: string };

export interface ReadOptions {
  /**
   * Asked, for each notification (a valid JSON object with a string `method` and no `id`), whether it can go on
   * without being parsed; if so it is handed on as a "forward" event.
   */
  readonly passThrough?: (method: string, line: Buffer) => boolean;
}

/**
 * Reads ND-JSON from `input`. Oversized lines are dropped (and reported) without buffering them whole;
 * a last line without its newline is reported as truncated.
 */
export function readLines(input: Readable, maxLineBytes: number, onEvent: (event: WireEvent) => void, onEnd: () => void, options: ReadOptions = {}): void {
  let chunks: Buffer[] = [];
  let buffered = 0;
  let skipping = false;
  const { passThrough } = options;

  /** `line` ends with its "\n". */
  const emitLine = (line: Buffer) => {
    // A CRLF ending is found by its bytes, without a pass over the (possibly megabytes long) text.
    const end = line.length > 1 && line[line.length - 2] === CR ? line.length - 2 : line.length - 1;
    if (passThrough && end === line.length - 1) {
      // The fast lane: a notification nobody needs to read goes on as its bytes, once proved to be valid JSON.
      const shape = scanLine(line, 0, end);
      if (shape && shape.method !== undefined && !shape.hasId && passThrough(shape.method, line)) {
        onEvent({ kind: "forward", method: shape.method, line });
        return;
      }
    }
    const text = line.toString("utf8", 0, end);
    if (text.trim() === "") return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      onEvent({ kind: "invalid", reason: "not-json", detail: (error as Error).message });
      return;
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      onEvent({ kind: "invalid", reason: "not-object", detail: `a JSON ${Array.isArray(parsed) ? "array" : typeof parsed}` });
      return;
    }
    // The bytes go on as they came, except after a CRLF ending (rare) or bytes that are not UTF-8 (the decoder left a
    // U+FFFD for them): then the text is encoded again, so what goes on is always UTF-8 ending in LF alone.
    const forwarded = end === line.length - 1 && !text.includes("\uFFFD") ? line : Buffer.from(text + "\n");
    onEvent({ kind: "message", message: parsed as JsonObject, line: forwarded });
  };

  input.on("data", (chunk: Buffer) => {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl === -1) break;
      const piece = chunk.subarray(start, nl + 1);
      if (skipping) {
        skipping = false;
      } else if (buffered + piece.length - 1 > maxLineBytes) {
        onEvent({ kind: "invalid", reason: "too-large", detail: `a line over ${maxLineBytes} bytes` });
      } else {
        emitLine(chunks.length === 0 ? piece : Buffer.concat([...chunks, piece], buffered + piece.length));
      }
      chunks = [];
      buffered = 0;
      start = nl + 1;
    }
    if (start < chunk.length && !skipping) {
      const rest = chunk.subarray(start);
      if (buffered + rest.length > maxLineBytes) {
        onEvent({ kind: "invalid", reason: "too-large", detail: `a line over ${maxLineBytes} bytes` });
        chunks = [];
        buffered = 0;
        skipping = true;
      } else {
        // A view, not a copy: stream chunks are never reused, and the line is copied once when it completes.
        chunks.push(rest);
        buffered += rest.length;
      }
    }
  });
  input.on("end", () => {
    if (buffered > 0 && !skipping) {
      const text = Buffer.concat(chunks).toString("utf8");
      if (text.trim() !== "") {
        onEvent({ kind: "invalid", reason: "truncated", detail: `${buffered} bytes without a final newline` });
      }
    }
    chunks = [];
    onEnd();
  });
  input.on("error", () => onEnd());
}

/**
 * Writes one message a line; a closed peer makes writes no-ops rather than crashes. Everything written in one
 * turn of the event loop (typically: every message of one read from the other peer) goes out as one batch.
 */
export class LineWriter {
  #closed = false;
  #corked = false;

  constructor(private readonly output: Writable) {
    output.on("error", () => {
      this.#closed = true;
    });
    output.on("close", () => {
      this.#closed = true;
    });
  }

  get closed(): boolean {
    return this.#closed || this.output.destroyed || this.output.writableEnded;
  }

  /** False when the peer is not keeping up: wait for `onDrain` before sending more. */
  write(message: JsonObject): boolean {
    if (this.closed) return true;
    this.#batch();
    return this.output.write(JSON.stringify(message) + "\n");
  }

  /** Writes a line as readLines handed it on (one JSON object, ending in "\n"), without re-encoding it. */
  writeLine(line: Buffer): boolean {
    if (this.closed) return true;
    if (line.length >= BATCH_LINE_LIMIT) {
      // A large line fills a pipe on its own: holding it back would only delay the peer.
      this.#uncork();
      return this.output.write(line);
    }
    this.#batch();
    return this.output.write(line);
  }

  /** Holds writes until the current turn's work is done, then hands them to the OS in one writev. */
  #batch(): void {
    if (this.#corked) return;
    this.#corked = true;
    this.output.cork();
    setImmediate(() => this.#uncork());
  }

  #uncork(): void {
    if (!this.#corked) return;
    this.#corked = false;
    this.output.uncork();
  }

  onDrain(listener: () => void): void {
    this.output.once("drain", listener);
  }

  /** Resolves once everything written so far has been handed to the OS. */
  async flush(): Promise<void> {
    if (this.closed) return;
    this.#uncork();
    await new Promise<void>((resolve) => {
      if (this.output.writableLength === 0) resolve();
      else this.output.once("drain", () => resolve());
      this.output.once("error", () => resolve());
      this.output.once("close", () => resolve());
    });
  }
}
