// The rule syntax shared by the configuration file and --allow/--ask/--deny: `op:pattern` strings and rule objects.
// Free of zod, so resolving flags never loads the schema library.
import { OPERATIONS, type Operation } from "./rules.js";

export const TOOL_KINDS = ["read", "edit", "delete", "move", "search", "execute", "think", "fetch", "switch_mode", "other"] as const;

/** A rule as written, before it gets its origin. */
export interface RuleSpec {
  readonly op: Operation;
  readonly path?: string;
  readonly command?: string;
  readonly kind?: readonly string[];
  readonly title?: string;
}

const FIELDS: Record<Operation, readonly string[]> = {
  read: ["path"],
  write: ["path"],
  terminal: ["command"],
  permission: ["kind", "title"],
  net: ["host"],
};

/** What a pattern field is called for each operation in the short `op:pattern` form. */
const SHORT_FIELD: Record<Operation, "path" | "command" | "title" | "host"> = { read: "path", write: "path", terminal: "command", permission: "title", net: "host" };

type Parsed = { ok: RuleSpec } | { error: string; at?: string };

function checkPattern(field: string, value: unknown): string | undefined {
  if (typeof value !== "string") return `${field} must be a string`;
  if (value.trim() === "") return `${field} must not be empty`;
  if (value.includes("\0")) return `${field} must not contain a NUL byte`;
  return undefined;
}

function opError(value: unknown): string {
  return `expected one of ${OPERATIONS.join(", ")}, got ${JSON.stringify(value)}`;
}

/** `write:src/**`, `terminal:npm test`, `read` (any path), `permission:Run *`. */
export function parseShortRule(text: string): Parsed {
  const colon = text.indexOf(":");
  const op = colon === -1 ? text : text.slice(0, colon);
  if (!(OPERATIONS as readonly string[]).includes(op)) return { error: `a rule is op or op:pattern, where op is one of ${OPERATIONS.join(", ")}; got ${JSON.stringify(text)}` };
  if (colon === -1) return { ok: { op: op as Operation } };
  const pattern = text.slice(colon + 1);
  const field = SHORT_FIELD[op as Operation];
  const problem = checkPattern("the pattern", pattern);
  if (problem) return { error: `${problem} in ${JSON.stringify(text)}` };
  return { ok: { op: op as Operation, [field]: pattern } };
}

/** A rule as a string or as an object; the error names the offending field. */
export function parseRule(value: unknown): Parsed {
  if (typeof value === "string") return parseShortRule(value);
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return { error: `a rule is a string like "write:src/**" or an object like {"op": "terminal", "command": "npm test"}; got ${JSON.stringify(value)}` };
  }
  const record = value as Record<string, unknown>;
  const op = record["op"];
  if (!(OPERATIONS as readonly unknown[]).includes(op)) return { error: opError(op), at: "op" };
  const allowed = FIELDS[op as Operation];
  for (const key of Object.keys(record)) {
    if (key !== "op" && !allowed.includes(key)) {
      return { error: `unknown key ${JSON.stringify(key)} for op ${String(op)} (allowed: op, ${allowed.join(", ")})`, at: key };
    }
  }
  for (const field of ["path", "command", "title"]) {
    if (field in record) {
      const problem = checkPattern(field, record[field]);
      if (problem) return { error: problem, at: field };
    }
  }
  let kind: string[] | undefined;
  if ("kind" in record) {
    const raw = record["kind"];
    kind = typeof raw === "string" ? [raw] : Array.isArray(raw) ? (raw as unknown[]).map(String) : undefined;
    const bad = kind === undefined ? raw : kind.find((k) => !(TOOL_KINDS as readonly string[]).includes(k));
    if (kind === undefined || bad !== undefined) return { error: `expected a tool kind (${TOOL_KINDS.join(", ")}) or a list of them, got ${JSON.stringify(bad)}`, at: "kind" };
  }
  const spec: RuleSpec = {
    op: op as Operation,
    ...(typeof record["path"] === "string" ? { path: record["path"] } : {}),
    ...(typeof record["command"] === "string" ? { command: record["command"] } : {}),
    ...(typeof record["title"] === "string" ? { title: record["title"] } : {}),
    ...(kind ? { kind } : {}),
  };
  return { ok: spec };
}
