// The agent's own session/request_permission: decided by a rule, else asked of the editor; a cancelled turn answers `cancelled`.
import { isObject, type RpcOutcome } from "../../acp/jsonrpc.js";
import type { RequestContext } from "../../acp/relay.js";
import { sessionUpdateToHost } from "../../acp/path-translate.js";
import type { JsonObject } from "../../src/util/json.js";
import { isAllowed } from "../../src/policy/decide.js";
import { describeOrigin, type Subject } from "../../src/policy/rules.js";
import { optionFor, readAnswer } from "../prompt.js";
import type { ToolHostState } from "../state.js";

/** Tool call locations and diffs in the request are runtime paths: the editor gets host paths. */
function toHostPaths(message: JsonObject, state: ToolHostState): JsonObject {
  const params = message["params"];
  const map = state.sandbox().pathMap;
  if (map.isIdentity || !isObject(params) || !isObject(params["toolCall"])) return message;
  const mapped = sessionUpdateToHost({ params: { update: params["toolCall"] } }, map);
  const toolCall = (mapped["params"] as JsonObject)["update"] as JsonObject;
  return { ...message, params: { ...params, toolCall } };
}

export async function agentPermissionHandler(state: ToolHostState, message: JsonObject, request: RequestContext): Promise<RpcOutcome> {
  const params = isObject(message["params"]) ? message["params"] : {};
  const sessionId = typeof params["sessionId"] === "string" ? params["sessionId"] : "";
  const toolCall = isObject(params["toolCall"]) ? params["toolCall"] : {};
  const title = typeof toolCall["title"] === "string" ? toolCall["title"] : String(toolCall["toolCallId"] ?? "");
  const kind = typeof toolCall["kind"] === "string" ? toolCall["kind"] : undefined;
  const subject: Subject = { op: "permission", kind, title };
  const what = `permission request "${title}" (${kind ?? "no kind"})`;
  const home = state.config.home;
  const decision = state.permissions.decide(sessionId, subject);
  if (decision.decision !== "pending") {
    const optionId = optionFor(params["options"], isAllowed(decision.decision));
    if (optionId !== undefined) {
      state.log.info(`policy: ${what}: ${decision.decision} (${describeOrigin(decision.origin, home)}); answered ${optionId}`);
      return { result: { outcome: { outcome: "selected", optionId } } };
    }
    state.log.info(`policy: ${what}: ${decision.decision} (${describeOrigin(decision.origin, home)}), but the agent offered no such option; asking the editor`);
  }
  const cancelled: RpcOutcome = { result: { outcome: { outcome: "cancelled" } } };
  const outcome = await state.permissions.cancellable(sessionId, request.forward(toHostPaths(message, state)), () => cancelled, request.signal);
  if (outcome === cancelled) {
    state.log.info(`policy: ${what}: pending → cancelled (the turn was cancelled)`);
    return outcome;
  }
  if ("result" in outcome) {
    const options = Array.isArray(params["options"]) ? (params["options"] as Array<{ optionId: string; kind: string }>) : [];
    const answer = readAnswer(outcome.result, options);
    if (typeof answer === "string") {
      state.log.info(`policy: ${what}: pending (${describeOrigin(decision.origin, home)}) → ${answer} (the editor's answer)`);
      if (answer === "allow-always") state.remembered.remember(sessionId, subject, "allow");
      if (answer === "reject-always") state.remembered.remember(sessionId, subject, "deny");
    }
  }
  return outcome;
}
