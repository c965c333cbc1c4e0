// The decision for one operation: deny rules, the protected-path gate, remembered answers, ask, allow, the defaults.
import type { CompiledRule, Operation, Rule, RuleOrigin, Subject } from "./rules.js";

export type PermissionDecision = "allow-once" | "allow-always" | "reject-once" | "reject-always" | "pending";

export interface Decision {
  readonly decision: PermissionDecision;
  readonly origin: RuleOrigin;
}

export interface PolicyInput {
  /** Rules from flags, the user's config file and the workspace's file, in that order. */
  readonly rules: readonly CompiledRule[];
  /** allow_always / reject_always answers remembered for this session (and with --remember, from earlier ones). */
  readonly remembered: readonly CompiledRule[];
  /** For writes: the protected pattern the target falls under. */
  readonly protectedPattern?: string | undefined;
}

const DEFAULTS: Record<Operation, Decision> = {
  read: { decision: "allow-always", origin: { kind: "default", label: "reads inside the allowed directories are allowed" } },
  write: { decision: "pending", origin: { kind: "default", label: "writes are asked" } },
  terminal: { decision: "pending", origin: { kind: "default", label: "commands are asked" } },
  permission: { decision: "pending", origin: { kind: "default", label: "the agent's own permission requests go to the editor" } },
};

const TRUSTED = new Set<RuleOrigin["kind"]>(["config", "flag"]);

/**
 * Only a rule from the user's own configuration or flags whose path names the protected file or directory
 * (`.vscode/**`, `.git/hooks/pre-commit`) opens it; a blanket rule (`write`, `write:**`) does not.
 */
function opensProtected(rule: Rule, pattern: string): boolean {
  const name = pattern.replace(/^\*\*\//, "").split("/")[0]!;
  return TRUSTED.has(rule.origin.kind) && rule.path !== undefined && rule.path.includes(name);
}

/**
 * Deny beats everything; a protected path needs an allow or ask rule from the user's own configuration naming it; then a
 * remembered answer; then ask beats allow; with no rule matching, the default. Within each step the first
 * matching rule decides (and is the one named).
 */
export function decide(subject: Subject, input: PolicyInput): Decision {
  const matching = input.rules.filter((r) => r.matches(subject));
  const first = (action: string) => matching.find((r) => r.rule.action === action)?.rule;
  const deny = first("deny");
  if (deny) return { decision: "reject-always", origin: deny.origin };
  if (input.protectedPattern !== undefined && !matching.some((r) => opensProtected(r.rule, input.protectedPattern!))) {
    return { decision: "reject-always", origin: { kind: "protected", label: input.protectedPattern } };
  }
  const remembered = input.remembered.find((r) => r.matches(subject))?.rule;
  if (remembered) return { decision: remembered.action === "deny" ? "reject-always" : "allow-always", origin: remembered.origin };
  const ask = first("ask");
  if (ask) return { decision: "pending", origin: ask.origin };
  const allow = first("allow");
  if (allow) return { decision: "allow-always", origin: allow.origin };
  return DEFAULTS[subject.op];
}

export function isAllowed(decision: PermissionDecision): boolean {
  return decision === "allow-once" || decision === "allow-always";
}
