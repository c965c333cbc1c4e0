// Splits Docker's multiplexed attach stream (8-byte frame headers) into stdout and stderr, with backpressure.
import { PassThrough, Writable } from "node:stream";

const HEADER = 8;

/** A frame header: stream type (1 stdout, 2 stderr) and payload length. */
export function parseHeader(header: Buffer): { stream: number; length: number } {
  return { stream: header.readUInt8(0), length: header.readUInt32BE(4) };
}

export interface Demuxed {
  /** Write the raw attach stream here. */
  readonly input: Writable;
  readonly stdout: PassThrough;
  readonly stderr: PassThrough;
}

/**
 * A demultiplexer. Output never leaks between the two streams: a frame of an unknown type
 * (corruption) goes to stderr, never to stdout, which carries the protocol.
 */
export function demuxer(): Demuxed {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let pending: Buffer = Buffer.alloc(0);
  let frame: { stream: number; length: number } | undefined;

  const input = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      let waitFor: PassThrough | undefined;
      for (;;) {
        if (!frame) {
          if (pending.length < HEADER) break;
          frame = parseHeader(pending.subarray(0, HEADER));
          pending = pending.subarray(HEADER);
        }
        if (frame.length > 0 && pending.length === 0) break;
        const take = Math.min(frame.length, pending.length);
        const target = frame.stream === 1 ? stdout : stderr;
        if (take > 0 && !target.write(pending.subarray(0, take))) waitFor = target;
        pending = pending.subarray(take);
        frame = frame.length === take ? undefined : { stream: frame.stream, length: frame.length - take };
      }
      if (waitFor) waitFor.once("drain", () => callback());
      else callback();
    },
    final(callback) {
      stdout.end();
      stderr.end();
      callback();
    },
    destroy(error, callback) {
      stdout.end();
      stderr.end();
      callback(error);
    },
  });
  return { input, stdout, stderr };
}
