// Remembered always-answers: per session in memory, and with --remember per workspace in the user's state directory.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Logger } from "../log/logger.js";
import type { CompiledRule, Operation, Rule, Subject } from "./rules.js";

/** One remembered answer: exact, never a pattern. */
export interface RememberedEntry {
  readonly op: Operation;
  readonly action: "allow" | "deny";
  /** read/write: the real path; terminal: the command line; permission: `kind title`; net: `host:port`. */
  readonly target: string;
}

export function targetOf(subject: Subject): string {
  switch (subject.op) {
    case "read":
    case "write":
      return subject.real;
    case "terminal":
      return subject.line;
    case "permission":
      return `${subject.kind ?? "other"} ${subject.title}`;
    case "net":
      return `${subject.host}:${subject.port}`;
  }
}

function compile(entry: RememberedEntry, file: string | undefined): CompiledRule {
  const rule: Rule = {
    action: entry.action,
    op: entry.op,
    origin: { kind: "remembered", label: `${entry.action === "allow" ? "always allow" : "always reject"} ${entry.op} ${entry.target}`, ...(file ? { file } : {}) },
  };
  return { rule, matches: (subject) => subject.op === entry.op && targetOf(subject) === entry.target, matchesCommand: () => false };
}

function isEntry(value: unknown): value is RememberedEntry {
  const v = value as Partial<RememberedEntry> | null;
  return !!v && typeof v.target === "string" && (v.action === "allow" || v.action === "deny") && ["read", "write", "terminal", "permission"].includes(String(v.op));
}

export class RememberedAnswers {
  readonly #bySession = new Map<string, CompiledRule[]>();
  readonly #persisted: RememberedEntry[] = [];
  #persistedRules: CompiledRule[] = [];

  constructor(
    private readonly file: string | undefined,
    private readonly workspace: string,
    private readonly log: Logger,
  ) {
    if (file) this.#load(file);
  }

  /** What this session's decisions consult: its own answers first, then those kept from earlier sessions. */
  rulesFor(sessionId: string): CompiledRule[] {
    return [...(this.#bySession.get(sessionId) ?? []), ...this.#persistedRules];
  }

  remember(sessionId: string, subject: Subject, action: "allow" | "deny"): void {
    const entry: RememberedEntry = { op: subject.op, action, target: targetOf(subject) };
    const list = this.#bySession.get(sessionId) ?? [];
    list.unshift(compile(entry, undefined));
    this.#bySession.set(sessionId, list);
    if (this.file) {
      const kept = this.#persisted.filter((e) => !(e.op === entry.op && e.target === entry.target));
      kept.unshift(entry);
      this.#persisted.splice(0, this.#persisted.length, ...kept);
      this.#persistedRules = this.#persisted.map((e) => compile(e, this.file));
      this.#save(this.file);
    }
  }

  forget(sessionId: string): void {
    this.#bySession.delete(sessionId);
  }

  #load(file: string): void {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") this.log.warn(`cannot read remembered decisions from ${file} (${(error as NodeJS.ErrnoException).code}); starting without them`);
      return;
    }
    try {
      const data = JSON.parse(text) as { decisions?: unknown };
      const entries = Array.isArray(data.decisions) ? data.decisions.filter(isEntry) : [];
      this.#persisted.push(...entries);
      this.#persistedRules = entries.map((e) => compile(e, file));
      this.log.info(`policy: ${entries.length} remembered decision(s) for this workspace from ${file}`);
    } catch {
      this.log.warn(`remembered decisions in ${file} are not valid JSON; starting without them (the file will be rewritten)`);
    }
  }

  #save(file: string): void {
    try {
      mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      const temp = `${file}.${process.pid}.tmp`;
      writeFileSync(temp, JSON.stringify({ version: 1, workspace: this.workspace, decisions: this.#persisted }, null, 2) + "\n", { mode: 0o600 });
      renameSync(temp, file);
    } catch (error) {
      this.log.warn(`cannot save remembered decisions to ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
  }
}
