// The agent's own session/request_permission, judged as the act it describes; a deny answers the agent at once, the rest may go to the editor.
import { isObject, type RpcOutcome } from "../../acp/jsonrpc.js";
import type { RequestContext } from "../../acp/relay.js";
import { sessionUpdateToHost } from "../../acp/path-translate.js";
import type { JsonObject } from "../../src/util/json.js";
import { type Decision, isAllowed } from "../../src/policy/decide.js";
import { decisionLine, describeDecision } from "../../src/policy/log.js";
import { type PermissionRequestView, readPermissionRequest } from "../../src/policy/requests.js";
import type { Subject } from "../../src/policy/rules.js";
import type { ActKey } from "../answered.js";
import { optionFor, readAnswer } from "../prompt.js";
import { combine, judgeAct } from "../requested-acts.js";
import type { ToolHostState } from "../state.js";

/** Tool call locations and diffs in the request are runtime paths: the editor gets host paths (v1 toolCall, v2 subject). */
function toHostPaths(message: JsonObject, state: ToolHostState): JsonObject {
  const params = message["params"];
  const map = state.sandbox().pathMap;
  if (map.isIdentity || !isObject(params)) return message;
  const mapToolCall = (toolCall: JsonObject) => (sessionUpdateToHost({ params: { update: toolCall } }, map)["params"] as JsonObject)["update"] as JsonObject;
  if (isObject(params["toolCall"])) return { ...message, params: { ...params, toolCall: mapToolCall(params["toolCall"]) } };
  const subject = params["subject"];
  if (isObject(subject) && subject["type"] === "tool_call" && isObject(subject["toolCall"])) {
    return { ...message, params: { ...params, subject: { ...subject, toolCall: mapToolCall(subject["toolCall"]) } } };
  }
  if (isObject(subject) && subject["type"] === "command" && typeof subject["cwd"] === "string") {
    const cwd = map.toHost(subject["cwd"]);
    if (cwd !== undefined) return { ...message, params: { ...params, subject: { ...subject, cwd } } };
  }
  return message;
}

function logWhat(view: PermissionRequestView): string {
  return `permission request "${view.title}" (${view.kind ?? "no kind"}${view.version === 2 ? ", v2" : ""})`;
}

export async function agentPermissionHandler(state: ToolHostState, message: JsonObject, request: RequestContext): Promise<RpcOutcome> {
  const params = isObject(message["params"]) ? message["params"] : {};
  const sessionId = typeof params["sessionId"] === "string" ? params["sessionId"] : "";
  const view = readPermissionRequest(params);
  const permissionSubject: Subject = { op: "permission", kind: view.kind, title: view.title };
  const home = state.config.home;
  const act = await judgeAct(state, sessionId, view.act);
  const { decision, what: actWhat } = combine(act, state.permissions.decide(sessionId, permissionSubject));
  const what = logWhat(view) + (actWhat ? `: ${actWhat}` : "");
  const key: ActKey = { ...(act?.key ?? {}), toolCallId: view.toolCallId };
  const recordAnswer = (allowed: boolean) => {
    if (act) state.permissions.answered.record(sessionId, { ...key, title: view.title, allowed });
  };
  if (decision.decision !== "pending") {
    const allowed = isAllowed(decision.decision);
    const optionId = optionFor(params["options"], allowed);
    if (optionId !== undefined) {
      state.log.info(`${decisionLine(what, decision, home)}; answered ${optionId}`);
      recordAnswer(allowed);
      return { result: { outcome: { outcome: "selected", optionId } } };
    }
    if (!allowed) {
      // No reject option offered: a refusal must still never reach the editor.
      state.log.info(`${decisionLine(what, decision, home)}; the agent offered no reject option, answered cancelled`);
      return { result: { outcome: { outcome: "cancelled" } } };
    }
    state.log.info(`${decisionLine(what, decision, home)}, but the agent offered no allow option; asking the editor`);
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
      state.log.info(`policy: ${what}: pending (${describeDecision(decision, home)}) → ${answer} (the editor's answer)`);
      if (answer !== "cancelled") recordAnswer(isAllowed(answer as Decision["decision"]));
      if (answer === "allow-always") state.remembered.remember(sessionId, permissionSubject, "allow");
      if (answer === "reject-always") state.remembered.remember(sessionId, permissionSubject, "deny");
    }
  }
  return outcome;
}
