// One log format for every decision, whatever the act: `policy: <what>: <decision> (<rule>[, <detail>])`.
import type { Decision } from "./decide.js";
import { describeOrigin } from "./rules.js";

/** The rule that made a decision, and for a shell line which command it matched. */
export function describeDecision(decision: Decision, home: string): string {
  return describeOrigin(decision.origin, home) + (decision.detail ? `, ${decision.detail}` : "");
}

export function decisionLine(what: string, decision: Decision, home: string): string {
  return `policy: ${what}: ${decision.decision} (${describeDecision(decision, home)})`;
}
