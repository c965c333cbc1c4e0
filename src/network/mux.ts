// The bridge's end of the container forwarder: frames from the exec's stdout become connections to the proxy or gateway.
import net from "node:net";
import type { Readable, Writable } from "node:stream";
import { FRAME } from "./inside/mux-forwarder.js";

interface Channel {
  readonly socket: net.Socket;
  held: boolean;
  asked: boolean;
}

export interface MuxEnd {
  /** Resolves when the forwarder listens inside; rejects if its stream ends first. */
  readonly ready: Promise<void>;
  close(): void;
}

/**
 * Serves the multiplexed stream: each OPEN frame names a channel (an index into `targets`, unix socket paths)
 * and gets its own connection there. Flow control is per connection (PAUSE/RESUME) plus the pipe's own.
 */
export function serveMux(input: Readable, output: Writable, targets: readonly string[]): MuxEnd {
  const channels = new Map<number, Channel>();
  let blocked = false;
  let resolveReady!: () => void;
  let rejectReady!: (error: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  ready.catch(() => {});

  const send = (type: number, id: number, payload?: Buffer) => {
    const head = Buffer.alloc(9);
    head[0] = type;
    head.writeUInt32BE(id, 1);
    head.writeUInt32BE(payload ? payload.length : 0, 5);
    const ok = output.write(payload && payload.length ? Buffer.concat([head, payload]) : head);
    if (!ok && !blocked) {
      blocked = true;
      for (const c of channels.values()) c.socket.pause();
      output.once("drain", () => {
        blocked = false;
        for (const c of channels.values()) if (!c.held) c.socket.resume();
      });
    }
  };

  const open = (id: number, channel: number) => {
    const path = targets[channel];
    if (path === undefined) return send(FRAME.close, id);
    const socket = net.connect({ path, allowHalfOpen: true });
    const entry: Channel = { socket, held: false, asked: false };
    channels.set(id, entry);
    if (blocked) socket.pause();
    socket.on("data", (d: Buffer) => send(FRAME.data, id, d));
    socket.on("end", () => send(FRAME.end, id));
    socket.on("error", () => {});
    socket.on("close", () => {
      if (channels.delete(id)) send(FRAME.close, id);
    });
  };

  const deliver = (type: number, id: number, payload: Buffer) => {
    if (type === FRAME.ready) return resolveReady();
    if (type === FRAME.open) return open(id, payload[0] ?? 255);
    const c = channels.get(id);
    if (!c) return;
    switch (type) {
      case FRAME.data:
        if (!c.socket.write(payload) && !c.asked) {
          c.asked = true;
          send(FRAME.pause, id);
          c.socket.once("drain", () => {
            c.asked = false;
            if (channels.has(id)) send(FRAME.resume, id);
          });
        }
        return;
      case FRAME.end:
        c.socket.end();
        return;
      case FRAME.close:
        channels.delete(id);
        c.socket.destroy();
        return;
      case FRAME.pause:
        c.held = true;
        c.socket.pause();
        return;
      case FRAME.resume:
        c.held = false;
        if (!blocked) c.socket.resume();
        return;
    }
  };

  let buffered: Buffer = Buffer.alloc(0);
  input.on("data", (chunk: Buffer) => {
    buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
    while (buffered.length >= 9) {
      const length = buffered.readUInt32BE(5);
      if (buffered.length < 9 + length) break;
      const type = buffered[0]!;
      const id = buffered.readUInt32BE(1);
      const payload = buffered.subarray(9, 9 + length);
      buffered = buffered.subarray(9 + length);
      deliver(type, id, payload);
    }
  });
  const gone = () => {
    rejectReady(new Error("the forwarder in the container stopped"));
    for (const c of channels.values()) c.socket.destroy();
    channels.clear();
  };
  input.on("end", gone);
  input.on("close", gone);
  input.on("error", gone);
  return {
    ready,
    close: () => {
      gone();
      output.end();
    },
  };
}
