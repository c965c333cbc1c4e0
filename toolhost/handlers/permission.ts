// The agent's own session/request_permission, judged as the act it describes; a deny answers the agent at once, the rest may go to the editor.
import { isObject, type RpcOutcome } from "../../acp/jsonrpc.js";
import type { RequestContext } from "../../acp/relay.js";
import { sessionUpdateToHost } from "../../acp/path-translate.js";
import type { JsonObject } from "../../src/util/json.js";
import { type Decision, isAllowed } from "../../src/policy/decide.js";
import { decisionLine, describeDecision } from "../../src/policy/log.js";
import { protectedPattern } from "../../src/policy/protected.js";
import { type PermissionRequestView, readPermissionRequest, type RequestedAct } from "../../src/policy/requests.js";
import type { RuleOrigin, Subject } from "../../src/policy/rules.js";
import { terminalSubject } from "../../src/policy/terminal-subject.js";
import { type ActKey, commandKey } from "../answered.js";
import { ToolHostError } from "../errors.js";
import { placeOf } from "../fs/place.js";
import { refusedWrite } from "../line-writes.js";
import { optionFor, readAnswer } from "../prompt.js";
import type { SessionView, ToolHostState } from "../state.js";
import { planCommand } from "../terminals/command-line.js";

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

/** One act judged: the decision, what it was about, and how it is named in logs. */
interface Judged {
  readonly decision: Decision;
  readonly what: string;
  readonly subjects: readonly Subject[];
  readonly key: ActKey;
}

const TRUSTED = new Set<RuleOrigin["kind"]>(["flag", "config", "remembered"]);

function refused(label: string): Decision {
  return { decision: "reject-always", origin: { kind: "containment", label } };
}

/** The paths of an edit or read request: each contained, then judged; the first refusal (else the first pending) decides. */
async function judgePaths(state: ToolHostState, session: SessionView, act: { kind: "write" | "read"; paths: readonly string[] }): Promise<Judged> {
  const what = `${act.kind} ${act.paths.join(", ")}`;
  const subjects: Subject[] = [];
  const decisions: Decision[] = [];
  const reals: string[] = [];
  for (const raw of act.paths) {
    let where;
    try {
      where = await placeOf(state, session, raw);
    } catch (error) {
      if (!(error instanceof ToolHostError)) throw error;
      decisions.push(refused(error.message.replace(/^acp-sandbox: /, "")));
      continue;
    }
    if (act.kind === "write" && !where.writable) {
      decisions.push(refused(`${raw} lies in ${where.root}, which is read-only`));
      continue;
    }
    const subject: Subject = { op: act.kind, real: where.real };
    subjects.push(subject);
    reals.push(where.real);
    decisions.push(state.permissions.decide(session.sessionId, subject, act.kind === "write" ? protectedPattern(where.root, where.real) : undefined));
  }
  const decision = decisions.find((d) => !isAllowed(d.decision) && d.decision !== "pending") ?? decisions.find((d) => d.decision === "pending") ?? decisions[0]!;
  return { decision, what, subjects, key: { paths: reals } };
}

/** A command: its own rules first, then the files it writes by name (deny rules, protected paths). */
async function judgeCommand(state: ToolHostState, session: SessionView, act: { command: string | readonly string[]; cwd?: string }): Promise<Judged> {
  const command = act.command;
  const plan = typeof command === "string" ? planCommand(command, []) : planCommand(command[0]!, command.slice(1));
  const subject = terminalSubject(plan);
  const judged: Judged = { decision: state.permissions.decide(session.sessionId, subject), what: `run ${plan.line}`, subjects: [subject], key: { commands: subject.commands.map((c) => commandKey(c.words)) } };
  if (!isAllowed(judged.decision.decision) && judged.decision.decision !== "pending") return judged;
  const write = await refusedWrite(state, session, subject.writes, act.cwd);
  return write ? { ...judged, decision: write.decision, what: `${judged.what}: ${write.what}` } : judged;
}

async function judgeAct(state: ToolHostState, sessionId: string, act: RequestedAct): Promise<Judged | undefined> {
  if (act.kind === "none") return undefined;
  let session: SessionView;
  try {
    session = state.session(sessionId);
  } catch {
    return undefined;
  }
  return act.kind === "terminal" ? judgeCommand(state, session, act) : judgePaths(state, session, act);
}

/**
 * The act's decision and the `permission:` rules' decision, combined: a refusal by either refuses; the act is answered
 * "allow" without asking only by a rule of the user's own (or a remembered answer), never by a default; a `permission:`
 * allow rule still answers, unless the act's own rules ask or the line cannot be read.
 */
function combine(act: Judged | undefined, request: Decision): { decision: Decision; what?: string } {
  if (!act) return { decision: request };
  const actDecision = act.decision;
  if (!isAllowed(actDecision.decision) && actDecision.decision !== "pending") return { decision: actDecision, what: act.what };
  if (!isAllowed(request.decision) && request.decision !== "pending") return { decision: request };
  const askedByRule = actDecision.decision === "pending" && actDecision.origin.kind !== "default";
  const unreadable = act.subjects.some((s) => s.op === "terminal" && !s.readable);
  if (isAllowed(actDecision.decision) && TRUSTED.has(actDecision.origin.kind) && request.origin.kind === "default") return { decision: actDecision, what: act.what };
  if (isAllowed(request.decision) && !askedByRule && !unreadable) return { decision: request };
  const pending: Decision = actDecision.decision === "pending" ? actDecision : request.decision === "pending" ? request : { decision: "pending", origin: request.origin };
  return { decision: pending, what: act.what };
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
