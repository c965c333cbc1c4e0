// The raw relay: routes every message between editor and agent, to a handler or forwarded unchanged.
import type { Logger } from "../src/log/logger.js";
import type { Endpoint, Side } from "./endpoint.js";
import {
  classify,
  ErrorCode,
  failureOutcome,
  isObject,
  responseMessage,
  type RpcError,
  type RpcId,
  type RpcOutcome,
} from "./jsonrpc.js";
import { noTrace, type TraceDirection, type Tracer } from "./trace.js";
import type { JsonObject, WireEvent } from "./wire.js";

export interface RequestContext {
  /** The side the request came from. */
  readonly from: Side;
  /** The requester's own id (for logs only: never reuse it on the other side). */
  readonly id: RpcId;
  /** Aborted by `$/cancel_request` for this request, or when either peer goes away. */
  readonly signal: AbortSignal;
  /** Sends `message` (default: the request as it came) to the other side and waits for its answer. */
  forward(message?: JsonObject): Promise<RpcOutcome>;
}

/** Serves a request; throw an RpcFailure to answer with that error. */
export type RequestHandler = (message: JsonObject, context: RequestContext) => Promise<RpcOutcome>;

/**
 * Rewrites a notification on its way (synchronously, keeping order); undefined drops it. A change means a new
 * object: the one given, returned as it is, goes out as the bytes it arrived as, so it must never be mutated.
 */
export type NotificationHandler = (message: JsonObject) => JsonObject | undefined;

export interface NotificationOptions {
  /**
   * Says, cheaply and without parsing the message (its raw line, when known, may be searched), that the handler
   * would return it unchanged (e.g. the path map is the identity). Then the relay may forward them without parsing
   * them, and the handler is not called.
   */
  readonly unchanged?: (line: Buffer | undefined) => boolean;
}

/** Looks at a response on its way back to the requester (synchronously); may rewrite it. */
export type ResponseHook = (outcome: RpcOutcome, request: JsonObject) => RpcOutcome;

interface Inbound {
  readonly abort: AbortController;
  forwardedId?: RpcId;
}

const other = (side: Side): Side => (side === "editor" ? "agent" : "editor");

export class Relay {
  readonly #requestHandlers: Record<Side, Map<string, RequestHandler>> = { editor: new Map(), agent: new Map() };
  readonly #notificationHandlers: Record<Side, Map<string, NotificationHandler[]>> = { editor: new Map(), agent: new Map() };
  /** Per method, what says its handlers would change nothing; a handler registered without one means "parse". */
  readonly #unchanged: Record<Side, Map<string, Array<(line: Buffer | undefined) => boolean>>> = { editor: new Map(), agent: new Map() };
  readonly #responseHooks: Record<Side, Map<string, ResponseHook[]>> = { editor: new Map(), agent: new Map() };
  readonly #inbound: Record<Side, Map<RpcId, Inbound>> = { editor: new Map(), agent: new Map() };
  readonly #endpoints: Partial<Record<Side, Endpoint>> = {};
  /** Messages from the editor that arrived while the agent was still starting. */
  #held: JsonObject[] = [];
  #agentStarting = false;

  constructor(
    editor: Endpoint,
    private readonly tracer: Tracer,
    private readonly log: Logger,
  ) {
    this.#endpoints.editor = editor;
  }

  endpoint(side: Side): Endpoint | undefined {
    return this.#endpoints[side];
  }

  /**
   * A request from `side` with this method is served by `handler` instead of being forwarded. Handlers of one
   * method chain in the order registered: the first is the outermost, and its `forward()` runs the next one.
   */
  onRequest(side: Side, method: string, handler: RequestHandler): void {
    const outer = this.#requestHandlers[side].get(method);
    this.#requestHandlers[side].set(
      method,
      outer ? (message, context) => outer(message, { ...context, forward: (forwarded = message) => handler(forwarded, context).catch(failureOutcome) }) : handler,
    );
  }

  onNotification(side: Side, method: string, handler: NotificationHandler, options: NotificationOptions = {}): void {
    const list = this.#notificationHandlers[side].get(method) ?? [];
    list.push(handler);
    this.#notificationHandlers[side].set(method, list);
    const checks = this.#unchanged[side].get(method) ?? [];
    checks.push(options.unchanged ?? (() => false));
    this.#unchanged[side].set(method, checks);
  }

  /**
   * Whether a notification from `from` with this method can go on as its bytes without being parsed: nothing
   * routes it (no handler, or every handler says it would change nothing), it is not a cancellation, the other
   * side is there to take it, no editor message is being held, and the protocol is not being traced.
   */
  passesUnparsed(from: Side, method: string, line?: Buffer): boolean {
    if (this.tracer !== noTrace || method === "$/cancel_request") return false;
    if (from === "editor" && this.#agentStarting) return false;
    if (!this.#endpoints[other(from)]) return false;
    const checks = this.#unchanged[from].get(method);
    if (checks === undefined) return true;
    for (const check of checks) if (!check(line)) return false;
    return true;
  }

  /** Sees the answer to a forwarded request from `side` before the requester does. */
  onResponse(side: Side, method: string, hook: ResponseHook): void {
    const list = this.#responseHooks[side].get(method) ?? [];
    list.push(hook);
    this.#responseHooks[side].set(method, list);
  }

  /** Editor messages that arrive from now until `attachAgent` wait instead of failing. */
  holdForAgent(): void {
    this.#agentStarting = true;
  }

  attachAgent(agent: Endpoint): void {
    this.#endpoints.agent = agent;
    this.#agentStarting = false;
    const held = this.#held;
    this.#held = [];
    for (const message of held) this.#dispatch("editor", message, undefined);
  }

  /** The agent could not be started: messages held for it are answered with `error`. */
  agentUnavailable(error: RpcError): void {
    this.#agentStarting = false;
    const held = this.#held;
    this.#held = [];
    for (const message of held) {
      const c = classify(message);
      if (c.kind === "request") this.#reply("editor", c.id, { error });
    }
  }

  /** Every line a peer sends goes through here, in order. */
  receive(from: Side, event: WireEvent): void {
    const direction: TraceDirection = from === "editor" ? "editor->bridge" : "agent->bridge";
    if (event.kind === "invalid") {
      this.log.warn(`${from} sent ${event.reason === "truncated" ? "a truncated line" : "a line that is not a JSON-RPC message"} (${event.detail}); dropped`);
      if (from === "editor" && event.reason !== "truncated") {
        const code = event.reason === "too-large" ? ErrorCode.invalidRequest : ErrorCode.parseError;
        this.#reply("editor", null, { error: { code, message: `acp-sandbox: ${event.detail}` } });
      }
      return;
    }
    if (event.kind === "forward") {
      // Only lines passesUnparsed allowed come here, and nothing can have changed since: the same turn.
      this.#sendPaced(from, this.#endpoints[other(from)]!, undefined, event.line);
      return;
    }
    this.tracer.record(direction, event.message);
    if (from === "editor" && this.#agentStarting) {
      this.#held.push(event.message);
      return;
    }
    this.#dispatch(from, event.message, event.line);
  }

  /** `line`: the bytes `message` arrived as, when known; forwarded instead of re-serializing if nothing changes it. */
  #dispatch(from: Side, message: JsonObject, line: Buffer | undefined): void {
    const c = classify(message);
    switch (c.kind) {
      case "request":
        this.#onRequest(from, message, c.id, c.method);
        return;
      case "notification":
        this.#onNotification(from, message, c.method, line);
        return;
      case "response":
        this.#onResponseMessage(from, message, c.id);
        return;
      case "invalid":
        this.log.warn(`${from} sent an invalid message (${c.reason}; keys: ${Object.keys(message).join(", ")}); dropped`);
        if (c.id !== null) this.#reply(from, c.id, { error: { code: ErrorCode.invalidRequest, message: `acp-sandbox: ${c.reason}` } });
        return;
    }
  }

  #onResponseMessage(from: Side, message: JsonObject, id: RpcId | null): void {
    const endpoint = this.#endpoints[from];
    if (id === null || !endpoint?.takeResponse(message)) {
      const what = "error" in message && isObject(message["error"]) ? ` (an error: ${String(message["error"]["message"])})` : "";
      this.log.warn(`${from} answered id ${JSON.stringify(id)}, which nobody is waiting for${what}; dropped`);
    }
  }

  #onNotification(from: Side, message: JsonObject, method: string, line: Buffer | undefined): void {
    if (method === "$/cancel_request") {
      this.#onCancelRequest(from, message);
      return;
    }
    let current: JsonObject | undefined = message;
    for (const handler of this.#notificationHandlers[from].get(method) ?? []) {
      current = handler(current);
      if (!current) return;
    }
    const target = this.#endpoints[other(from)];
    if (!target) {
      this.log.warn(`${from} sent ${method} before the agent was started; dropped`);
      return;
    }
    // A handler that changed the message returned a new object: only the untouched original goes as it came.
    this.#sendPaced(from, target, current, current === message ? line : undefined);
  }

  /** Writes to `target`; when it cannot keep up, stops reading from `from` until it drains (one wait at a time). */
  #sendPaced(from: Side, target: Endpoint, message: JsonObject | undefined, line?: Buffer): void {
    const sent = message === undefined ? target.sendLine(line!) : target.send(message, line);
    if (sent || this.#awaitingDrain[from]) return;
    const source = this.#pausers[from];
    if (!source) return;
    this.#awaitingDrain[from] = true;
    source.pause();
    target.onDrain(() => {
      this.#awaitingDrain[from] = false;
      source.resume();
    });
  }

  readonly #awaitingDrain: Record<Side, boolean> = { editor: false, agent: false };
  readonly #pausers: Partial<Record<Side, { pause(): void; resume(): void }>> = {};

  /** Lets the relay slow a peer down (pause its stdout) when the other peer is not reading. */
  setPauser(side: Side, pauser: { pause(): void; resume(): void }): void {
    this.#pausers[side] = pauser;
  }

  #onCancelRequest(from: Side, message: JsonObject): void {
    const params = isObject(message["params"]) ? message["params"] : {};
    const requestId = params["requestId"] as RpcId | undefined;
    const inbound = requestId === undefined ? undefined : this.#inbound[from].get(requestId);
    if (!inbound) {
      this.log.debug(`${from} cancelled request ${JSON.stringify(requestId)}, which is not in flight`);
      return;
    }
    inbound.abort.abort();
    const target = this.#endpoints[other(from)];
    if (inbound.forwardedId !== undefined && target) {
      target.send({ ...message, params: { ...params, requestId: inbound.forwardedId } });
    }
  }

  #onRequest(from: Side, message: JsonObject, id: RpcId, method: string): void {
    const handler = this.#requestHandlers[from].get(method);
    const to = other(from);
    if (!this.#endpoints.agent && !(from === "editor" && method === "initialize")) {
      this.#reply(from, id, {
        error: { code: ErrorCode.invalidRequest, message: `acp-sandbox: the agent is not running; send initialize first (got ${method})` },
      });
      return;
    }
    if (!handler) {
      const target = this.#endpoints[to]!;
      // The hot path: forward, and answer synchronously when the response comes back.
      const inbound: Inbound = { abort: new AbortController() };
      this.#inbound[from].set(id, inbound);
      inbound.forwardedId = target.sendRequest(message, (outcome) => {
        this.#inbound[from].delete(id);
        this.#reply(from, id, this.#applyResponseHooks(from, method, outcome, message));
      });
      return;
    }
    const inbound: Inbound = { abort: new AbortController() };
    this.#inbound[from].set(id, inbound);
    const context: RequestContext = {
      from,
      id,
      signal: inbound.abort.signal,
      forward: (forwarded = message) =>
        new Promise((resolve) => {
          const target = this.#endpoints[to];
          if (!target || target.closed) {
            resolve({ error: { code: ErrorCode.internalError, message: `acp-sandbox: the ${to} is not connected` } });
            return;
          }
          inbound.forwardedId = target.sendRequest(forwarded, (outcome) => resolve(this.#applyResponseHooks(from, method, outcome, forwarded)));
        }),
    };
    handler(message, context)
      .catch((error: unknown) => failureOutcome(error))
      .then((outcome) => {
        this.#inbound[from].delete(id);
        this.#reply(from, id, outcome);
      });
  }

  #applyResponseHooks(from: Side, method: string, outcome: RpcOutcome, request: JsonObject): RpcOutcome {
    let current = outcome;
    for (const hook of this.#responseHooks[from].get(method) ?? []) current = hook(current, request);
    return current;
  }

  #reply(to: Side, id: RpcId | null, outcome: RpcOutcome): void {
    const endpoint = this.#endpoints[to];
    if (!endpoint || endpoint.closed) return;
    endpoint.send(responseMessage(id, outcome));
  }

  /** A peer went away: abort whatever it asked for that is still running here. */
  abortInbound(from: Side): void {
    for (const inbound of this.#inbound[from].values()) inbound.abort.abort();
    this.#inbound[from].clear();
  }
}
