// The bridge: editor stdio on one side, the sandboxed agent on the other, and its lifecycle.
import type { Readable, Writable } from "node:stream";
import type { Logger } from "../src/log/logger.js";
import { stopQuietly } from "../src/process/stop.js";
import type { PipedProcess, ProcessSpec, Sandbox } from "../src/sandbox/types.js";
import { describeExit, StderrTail } from "./agent-exit.js";
import type { BridgeContext, BridgeExtension } from "./context.js";
import { Endpoint } from "./endpoint.js";
import { ErrorCode, failureOutcome, isObject, type RpcError, RpcFailure, type RpcOutcome } from "./jsonrpc.js";
import { installPathTranslation } from "./path-routes.js";
import { Relay } from "./relay.js";
import { installSessionRoutes } from "./session-routes.js";
import { SessionTable } from "./sessions.js";
import type { Tracer } from "./trace.js";
import { LineWriter, readLines, type JsonObject } from "./wire.js";

export interface BridgeInfo {
  readonly name: string;
  readonly version: string;
}

export interface BridgeOptions {
  readonly input: Readable;
  readonly output: Writable;
  readonly workspace: string;
  readonly agent: ProcessSpec;
  readonly startSandbox: (signal: AbortSignal) => Promise<Sandbox>;
  readonly log: Logger;
  readonly tracer: Tracer;
  readonly info: BridgeInfo;
  readonly maxLineBytes: number;
  readonly graceMs: number;
  readonly extensions?: readonly BridgeExtension[];
}

export type BridgeEnd =
  | { readonly kind: "editor-closed" }
  | { readonly kind: "signal"; readonly signal: NodeJS.Signals }
  | { readonly kind: "agent-exited"; readonly message: string }
  | { readonly kind: "launch-failed"; readonly message: string };

export class Bridge {
  readonly #options: BridgeOptions;
  readonly #relay: Relay;
  readonly #editor: Endpoint;
  readonly #sessions = new SessionTable();
  readonly #initializeHooks: Array<(params: JsonObject) => JsonObject> = [];
  readonly #shutdownHooks: Array<() => Promise<void> | void> = [];
  readonly #abort = new AbortController();
  #sandbox: Sandbox | undefined;
  #agent: PipedProcess | undefined;
  #editorCapabilities: JsonObject = {};
  #ending: BridgeEnd | undefined;
  #resolveEnd!: (end: BridgeEnd) => void;
  readonly ended: Promise<BridgeEnd>;

  constructor(options: BridgeOptions) {
    this.#options = options;
    this.ended = new Promise((resolve) => (this.#resolveEnd = resolve));
    this.#editor = new Endpoint("editor", new LineWriter(options.output), options.tracer, options.log);
    this.#relay = new Relay(this.#editor, options.tracer, options.log);
    this.#relay.onRequest("editor", "initialize", (message, context) => this.#initialize(message, context.forward));

    const context: BridgeContext = {
      relay: this.#relay,
      log: options.log,
      sessions: this.#sessions,
      workspace: options.workspace,
      sandbox: () => {
        if (!this.#sandbox) throw new RpcFailure(ErrorCode.internalError, "acp-sandbox: the sandbox is not running yet");
        return this.#sandbox;
      },
      editorCapabilities: () => this.#editorCapabilities,
      onInitialize: (hook) => this.#initializeHooks.push(hook),
      onShutdown: (hook) => this.#shutdownHooks.push(hook),
    };
    installSessionRoutes(context);
    installPathTranslation(context);
    for (const extension of options.extensions ?? []) extension.install(context);
  }

  /** Starts reading the editor; resolves with how the bridge ended once everything is stopped. */
  async run(): Promise<BridgeEnd> {
    readLines(
      this.#options.input,
      this.#options.maxLineBytes,
      (event) => this.#relay.receive("editor", event),
      () => void this.stop({ kind: "editor-closed" }),
      { passThrough: (method, line) => this.#relay.passesUnparsed("editor", method, line) },
    );
    this.#relay.setPauser("editor", this.#options.input);
    return this.ended;
  }

  async #initialize(message: JsonObject, forward: (m: JsonObject) => Promise<RpcOutcome>): Promise<RpcOutcome> {
    if (this.#agent || this.#sandbox) {
      throw new RpcFailure(ErrorCode.invalidRequest, "acp-sandbox: initialize was already called; the agent is running");
    }
    const params = isObject(message["params"]) ? message["params"] : {};
    this.#editorCapabilities = isObject(params["clientCapabilities"]) ? params["clientCapabilities"] : {};
    this.#relay.holdForAgent();
    try {
      await this.#startAgent();
    } catch (error) {
      const outcome = failureOutcome(error);
      const reason = "error" in outcome ? outcome.error.message : String(error);
      this.#options.log.error(reason);
      this.#relay.agentUnavailable({ code: ErrorCode.internalError, message: reason });
      setImmediate(() => void this.stop({ kind: "launch-failed", message: reason }));
      return outcome;
    }
    let forwarded = params;
    for (const hook of this.#initializeHooks) forwarded = hook(forwarded);
    const outcome = await forward({ ...message, params: forwarded });
    if (!("result" in outcome) || !isObject(outcome.result)) return outcome;
    return { result: { ...outcome.result, _meta: { ...(isObject(outcome.result["_meta"]) ? outcome.result["_meta"] : {}), ...this.#meta() } } };
  }

  #meta(): JsonObject {
    const sandbox = this.#sandbox;
    const caps = sandbox?.capabilities;
    return {
      "acp-sandbox": {
        name: this.#options.info.name,
        version: this.#options.info.version,
        sandbox: caps
          ? {
              backend: caps.backend,
              isolation: caps.isolation,
              filesystemIsolation: caps.filesystemIsolation,
              networkEnforcement: caps.networkEnforcement,
              processLimits: caps.processLimits,
              network: sandbox.spec.network,
            }
          : null,
      },
    };
  }

  async #startAgent(): Promise<void> {
    const { log } = this.#options;
    const sandbox = await this.#options.startSandbox(this.#abort.signal);
    this.#sandbox = sandbox;
    const spec = this.#options.agent;
    const agent = await sandbox.launch(spec);
    this.#agent = agent;
    const tail = new StderrTail(20);
    readStderr(agent.stderr, (line) => {
      tail.push(line);
      log.agent(line);
    });
    const endpoint = new Endpoint("agent", new LineWriter(agent.stdin), this.#options.tracer, log);
    readLines(
      agent.stdout,
      this.#options.maxLineBytes,
      (event) => this.#relay.receive("agent", event),
      () => {},
      { passThrough: (method, line) => this.#relay.passesUnparsed("agent", method, line) },
    );
    this.#relay.setPauser("agent", agent.stdout);
    this.#relay.attachAgent(endpoint);
    void agent.exited.then(async (status) => {
      // Let the last stderr lines arrive before describing the exit.
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (this.#ending) return;
      const death = await sandbox.explainExit?.(status).catch(() => undefined);
      if (this.#ending) return;
      const message = describeExit(spec.command, status, tail.lines(), death);
      log.error(message);
      const error: RpcError = { code: ErrorCode.internalError, message };
      endpoint.failAll(error);
      this.#relay.abortInbound("agent");
      await this.stop({ kind: "agent-exited", message });
    });
  }

  /** Stops everything once: the agent's process group, terminals, the sandbox. Idempotent. */
  async stop(end: BridgeEnd): Promise<void> {
    if (this.#ending) return;
    this.#ending = end;
    const { log, graceMs } = this.#options;
    this.#abort.abort();
    this.#relay.abortInbound("editor");
    this.#relay.abortInbound("agent");
    const gone: RpcError = {
      code: ErrorCode.internalError,
      message: end.kind === "agent-exited" ? end.message : `acp-sandbox is shutting down (${end.kind})`,
    };
    this.#editor.failAll(gone);
    await Promise.allSettled(this.#shutdownHooks.map(async (hook) => hook()));
    await this.#sessions.closeAll();
    if (this.#agent) {
      this.#relay.endpoint("agent")?.failAll(gone);
      const status = await stopQuietly(this.#agent, graceMs);
      log.debug(`agent stopped (${JSON.stringify(status)})`);
    }
    if (this.#sandbox) {
      try {
        await this.#sandbox.destroy();
      } catch (error) {
        log.warn(`could not remove the sandbox: ${failureOutcomeMessage(error)}`);
      }
    }
    await this.#editor.flush();
    this.#resolveEnd(end);
  }
}

function failureOutcomeMessage(error: unknown): string {
  const outcome = failureOutcome(error);
  return "error" in outcome ? outcome.error.message : String(error);
}

function readStderr(stream: Readable, onLine: (line: string) => void): void {
  let partial = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    const lines = (partial + chunk).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) onLine(line.replace(/\r$/, ""));
  });
  stream.on("end", () => {
    if (partial) onLine(partial);
    partial = "";
  });
  stream.on("error", () => {});
}
