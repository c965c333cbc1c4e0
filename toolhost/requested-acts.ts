// The act an agent's permission request describes, judged with the rules for that act, and combined with the `permission:` rules.
import { type Decision, isAllowed } from "../src/policy/decide.js";
import { protectedPattern } from "../src/policy/protected.js";
import type { RequestedAct } from "../src/policy/requests.js";
import type { RuleOrigin, Subject } from "../src/policy/rules.js";
import { terminalSubject } from "../src/policy/terminal-subject.js";
import { type ActKey, commandKey } from "./answered.js";
import { ToolHostError } from "./errors.js";
import { placeOf } from "./fs/place.js";
import { refusedWrite } from "./line-writes.js";
import type { SessionView, ToolHostState } from "./state.js";
import { planCommand } from "./terminals/command-line.js";

/** One act judged: the decision, what it was about, and how it is named in logs. */
export interface Judged {
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

export async function judgeAct(state: ToolHostState, sessionId: string, act: RequestedAct): Promise<Judged | undefined> {
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
export function combine(act: Judged | undefined, request: Decision): { decision: Decision; what?: string } {
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
