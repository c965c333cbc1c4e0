// The ToolHost as a bridge extension: serves the agent's fs/*, terminal/* and permission requests under the policy.
import type { BridgeContext, BridgeExtension } from "../acp/context.js";
import { ErrorCode, isObject, RpcFailure, type RpcOutcome } from "../acp/jsonrpc.js";
import type { RequestContext } from "../acp/relay.js";
import type { Logger } from "../src/log/logger.js";
import { DEFAULT_GRACE_MS } from "../src/process/spawn.js";
import type { JsonObject, JsonValue } from "../src/util/json.js";
import type { ToolHostConfig } from "./config.js";
import { ToolHostError } from "./errors.js";
import { readTextFileHandler, writeTextFileHandler } from "./handlers/fs.js";
import { agentPermissionHandler } from "./handlers/permission.js";
import { createTerminalHandler, killTerminalHandler, releaseTerminalHandler, terminalOutputHandler, waitForExitHandler } from "./handlers/terminal.js";
import { paramsOf } from "./params.js";
import { Permissions } from "./permissions.js";
import { RememberedAnswers } from "../src/policy/remember.js";
import { compileRule } from "../src/policy/rules.js";
import { ToolHostState } from "./state.js";
import { TerminalManager } from "./terminals/manager.js";

export interface ToolHostOptions {
  /** How long a killed terminal gets between SIGTERM and SIGKILL. */
  readonly graceMs?: number;
}

/** ToolHost failures become the JSON-RPC errors they name; anything else stays an internal error. */
export function toRpcFailure(error: unknown): unknown {
  if (!(error instanceof ToolHostError)) return error;
  return new RpcFailure(ErrorCode[error.code], error.message, error.data);
}

/** The protocol version the editor asks for in initialize (1 when it names none). */
export function requestedVersion(params: JsonObject): number {
  const version = params["protocolVersion"];
  return typeof version === "number" ? version : 1;
}

/**
 * The editor's clientCapabilities as the agent sees them: fs read and write and terminals, whatever the editor has.
 * An editor asking for protocol v2 (draft) gets its request through unchanged: v2 has no client fs or terminals.
 */
export function advertisedCapabilities(params: JsonObject): JsonObject {
  if (requestedVersion(params) >= 2) return params;
  const caps = isObject(params["clientCapabilities"]) ? params["clientCapabilities"] : {};
  const fs = isObject(caps["fs"]) ? caps["fs"] : {};
  return { ...params, clientCapabilities: { ...caps, fs: { ...fs, readTextFile: true, writeTextFile: true }, terminal: true } };
}

type Handler = (state: ToolHostState, params: JsonObject, signal: AbortSignal) => Promise<JsonValue>;

const HANDLERS: ReadonlyArray<readonly [string, Handler]> = [
  ["fs/read_text_file", readTextFileHandler],
  ["fs/write_text_file", writeTextFileHandler],
  ["terminal/create", createTerminalHandler],
  ["terminal/output", terminalOutputHandler],
  ["terminal/wait_for_exit", waitForExitHandler],
  ["terminal/kill", killTerminalHandler],
  ["terminal/release", releaseTerminalHandler],
];

export function createToolHost(config: ToolHostConfig, log: Logger, options: ToolHostOptions = {}): BridgeExtension {
  return {
    install(context: BridgeContext): void {
      for (const notice of config.notices) log.warn(notice);
      const remembered = new RememberedAnswers(config.rememberFile, config.workspace, log);
      const rules = config.rules.map((rule) => compileRule(rule, { workspace: config.workspace, home: config.home }));
      const ask = async (params: JsonObject, signal: AbortSignal) => {
        const editor = context.relay.endpoint("editor");
        if (!editor || editor.closed) return { error: { message: "the editor is gone" } };
        return editor.request("session/request_permission", params, signal);
      };
      const permissions = new Permissions(rules, remembered, ask, log, config.home);
      const terminals = new TerminalManager({ maxTerminals: config.maxTerminals, graceMs: options.graceMs ?? DEFAULT_GRACE_MS });
      const state = new ToolHostState(config, context, permissions, remembered, terminals, log);

      context.onInitialize((params) => {
        if (requestedVersion(params) >= 2) log.info(`initialize: the editor asks for protocol version ${requestedVersion(params)} (draft): relayed as it is, without fs or terminal capabilities`);
        return advertisedCapabilities(params);
      });
      for (const [method, handler] of HANDLERS) {
        context.relay.onRequest("agent", method, async (message: JsonObject, request: RequestContext): Promise<RpcOutcome> => {
          try {
            return { result: await handler(state, paramsOf(message), request.signal) };
          } catch (error) {
            throw toRpcFailure(error);
          }
        });
      }
      context.relay.onRequest("agent", "session/request_permission", (message, request) => agentPermissionHandler(state, message, request));
      context.relay.onNotification("editor", "session/cancel", (message) => {
        const params = message["params"];
        if (isObject(params) && typeof params["sessionId"] === "string") {
          const count = permissions.cancelSession(params["sessionId"]);
          permissions.answered.endTurn(params["sessionId"]);
          if (count > 0) log.info(`session/cancel: answered ${count} open permission prompt(s) with cancelled`);
        }
        return message;
      });
      // The agent's answered permission requests tie to the operations of the same turn only.
      context.relay.onResponse("editor", "session/prompt", (outcome, request) => {
        const params = request["params"];
        if (isObject(params) && typeof params["sessionId"] === "string") permissions.answered.endTurn(params["sessionId"]);
        return outcome;
      });
      context.onShutdown(async () => {
        permissions.cancelAll();
        await terminals.releaseAll();
      });
    },
  };
}
