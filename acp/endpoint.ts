// One peer of the relay (the editor or the agent): writes messages to it and tracks requests sent to it.
import type { Logger } from "../src/log/logger.js";
import { type RpcError, type RpcId, outcomeOf, type RpcOutcome } from "./jsonrpc.js";
import type { TraceDirection, Tracer } from "./trace.js";
import type { JsonObject, JsonValue, LineWriter } from "./wire.js";

export type Side = "editor" | "agent";

interface Pending {
  readonly method: string;
  readonly onResponse: (outcome: RpcOutcome, message: JsonObject | undefined) => void;
}

export class Endpoint {
  #nextId = 1;
  readonly #pending = new Map<RpcId, Pending>();
  readonly #outDirection: TraceDirection;

  constructor(
    readonly side: Side,
    private readonly writer: LineWriter,
    private readonly tracer: Tracer,
    private readonly log: Logger,
  ) {
    this.#outDirection = side === "editor" ? "bridge->editor" : "bridge->agent";
  }

  get closed(): boolean {
    return this.writer.closed;
  }

  get pendingCount(): number {
    return this.#pending.size;
  }

  /**
   * Writes a message as it is. `line`, the bytes it arrived as (only for a message forwarded unchanged),
   * saves serializing and encoding it again on the hot path.
   */
  send(message: JsonObject, line?: Buffer): boolean {
    this.tracer.record(this.#outDirection, message);
    return line === undefined ? this.writer.write(message) : this.writer.writeLine(line);
  }

  /** Writes a line the reader passed through unparsed (never traced: pass-through is off while tracing). */
  sendLine(line: Buffer): boolean {
    return this.writer.writeLine(line);
  }

  /**
   * Sends a request under a fresh id of ours (so ids never collide with the peer's own) and calls
   * `onResponse` synchronously when the answer arrives, keeping the order of the peer's messages.
   */
  sendRequest(message: JsonObject, onResponse: Pending["onResponse"]): RpcId {
    const id = this.#nextId++;
    this.#pending.set(id, { method: String(message["method"]), onResponse });
    this.send({ ...message, id });
    return id;
  }

  /**
   * Sends a request of the bridge's own. Aborting `signal` while it is in flight tells the peer with
   * `$/cancel_request`; the answer still settles the promise when it comes.
   */
  request(method: string, params?: JsonValue, signal?: AbortSignal): Promise<RpcOutcome> {
    return new Promise((resolve) => {
      const message: JsonObject = params === undefined ? { jsonrpc: "2.0", method } : { jsonrpc: "2.0", method, params };
      const cancel = () => {
        if (this.#pending.has(id) && !this.closed) this.notify("$/cancel_request", { requestId: id });
      };
      const id = this.sendRequest(message, (outcome) => {
        signal?.removeEventListener("abort", cancel);
        resolve(outcome);
      });
      if (signal?.aborted) cancel();
      else signal?.addEventListener("abort", cancel, { once: true });
    });
  }

  notify(method: string, params?: JsonValue): void {
    this.send(params === undefined ? { jsonrpc: "2.0", method } : { jsonrpc: "2.0", method, params });
  }

  /** Routes a response from this peer; false when nobody is waiting for its id. */
  takeResponse(message: JsonObject): boolean {
    const id = message["id"] as RpcId;
    const pending = this.#pending.get(id);
    if (!pending) return false;
    this.#pending.delete(id);
    pending.onResponse(outcomeOf(message), message);
    return true;
  }

  /** The method of a request still waiting for its answer. */
  pendingMethod(id: RpcId): string | undefined {
    return this.#pending.get(id)?.method;
  }

  /** Answers every request still waiting on this peer with `error` (the peer went away). */
  failAll(error: RpcError): void {
    const waiting = [...this.#pending.values()];
    this.#pending.clear();
    for (const pending of waiting) {
      try {
        pending.onResponse({ error }, undefined);
      } catch (cause) {
        this.log.debug(`while failing ${pending.method}: ${String(cause)}`);
      }
    }
  }

  onDrain(listener: () => void): void {
    this.writer.onDrain(listener);
  }

  async flush(): Promise<void> {
    await this.writer.flush();
  }
}
