// The decision for one act: deny rules, the protected-path gate, remembered answers, ask, allow, the defaults.
import { type CompiledRule, commandTexts, type Operation, type Rule, type RuleOrigin, type Subject, type TerminalSubject } from "./rules.js";

export type PermissionDecision = "allow-once" | "allow-always" | "reject-once" | "reject-always" | "pending";

export interface Decision {
  readonly decision: PermissionDecision;
  readonly origin: RuleOrigin;
  /** For a shell line: which of its commands the rule matched (`git push --force`), or why no rule could allow it. */
  readonly detail?: string;
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
  // The network proxy's allowlist: a connection no rule allows is refused.
  net: { decision: "reject-once", origin: { kind: "default", label: "connections to hosts no rule allows are refused" } },
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
  if (subject.op === "terminal") return decideLine(subject, input);
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

/**
 * A shell line, judged by every command in it: a deny rule matching any command (or the whole line) denies it; an
 * ask rule matching any command asks; it is allowed only when every command is matched by an allow rule, and never
 * when the parser could not read it. A remembered answer is for the exact line.
 */
function decideLine(subject: TerminalSubject, input: PolicyInput): Decision {
  const rules = input.rules.filter((r) => r.rule.op === "terminal");
  const hit = (action: string) => {
    for (const r of rules) {
      if (r.rule.action !== action) continue;
      const command = subject.commands.find((c) => r.matchesCommand(c));
      if (command) return { rule: r.rule, detail: subject.commands.length > 1 || !subject.readable ? `its command ${commandTexts(command)[0]}` : undefined };
      if (action === "deny" && r.matches(subject)) return { rule: r.rule, detail: undefined };
      // A line the parser could not read: a deny rule still applies to each piece between control characters.
      const piece = action === "deny" && !subject.readable ? pieces(subject.line).find((words) => r.matchesCommand({ words })) : undefined;
      if (piece) return { rule: r.rule, detail: `its part ${piece.join(" ")}` };
    }
    return undefined;
  };
  const withDetail = (decision: PermissionDecision, origin: RuleOrigin, detail: string | undefined): Decision => (detail ? { decision, origin, detail } : { decision, origin });
  const deny = hit("deny");
  if (deny) return withDetail("reject-always", deny.rule.origin, deny.detail);
  const remembered = input.remembered.find((r) => r.matches(subject))?.rule;
  if (remembered) return { decision: remembered.action === "deny" ? "reject-always" : "allow-always", origin: remembered.origin };
  const ask = hit("ask");
  if (ask) return withDetail("pending", ask.rule.origin, ask.detail);
  if (!subject.readable) return { decision: "pending", origin: { kind: "default", label: "commands are asked" }, detail: `no rule can allow it: ${subject.problem ?? "it cannot be read"}` };
  const allows = rules.filter((r) => r.rule.action === "allow");
  const covering = subject.commands.map((c) => allows.find((r) => r.matchesCommand(c)));
  if (subject.commands.length > 0 && covering.every((r) => r !== undefined)) {
    const named = [...new Set(covering.map((r) => r!.rule))];
    return withDetail("allow-always", named[0]!.origin, named.length > 1 ? `with ${named.slice(1).map((r) => r.origin.label).join(", ")} for its other commands` : undefined);
  }
  return DEFAULTS.terminal;
}

const RESERVED = new Set(["if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "in", "esac", "case"]);

/** The pieces of an unreadable line between control characters, as words (quotes dropped). */
function pieces(line: string): string[][] {
  return line
    .split(/[;&|(){}`\n]|\$\(/)
    .map((piece) => piece.replace(/['"\\]/g, "").trim().split(/\s+/).filter(Boolean))
    .map((words) => words.slice(words.findIndex((w) => !RESERVED.has(w)) >>> 0))
    .filter((words) => words.length > 0);
}

export function isAllowed(decision: PermissionDecision): boolean {
  return decision === "allow-once" || decision === "allow-always";
}
