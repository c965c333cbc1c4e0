// The quarantine of one workspace: a snapshot at session start, a sweep after each turn and at the end, and the report.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import { afterMoves, takeSnapshot, type Snapshot } from "./snapshot.js";
import { type Quarantined, sweep, type SweepResult } from "./sweep.js";

/** `<workspace name>-<hash of its path>`: one quarantine folder per workspace. */
export function workspaceId(workspace: string): string {
  const name = path.basename(workspace).replace(/[^A-Za-z0-9_.-]/g, "-").slice(0, 40) || "workspace";
  return `${name}-${createHash("sha256").update(workspace).digest("hex").slice(0, 12)}`;
}

/** Quoted for a POSIX shell. */
function sh(value: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`;
}

/** The command that puts one quarantined path back. */
export function restoreCommand(workspace: string, q: Quarantined): string {
  const target = path.join(workspace, q.rel);
  const back = `mv -n ${sh(q.dest)} ${sh(target)}`;
  return q.restoredOriginal ? `mv ${sh(q.dest)} ${sh(target)}` : `mkdir -p ${sh(path.dirname(target))} && ${back}`;
}

/** One line per path: what moved, why, and how to restore it. */
export function describeSweep(workspace: string, result: SweepResult): string[] {
  const lines = result.moved.map(
    (q) =>
      `quarantined ${q.what === "new" ? "new" : "changed"} ${q.rel} (${q.why})` +
      (q.restoredOriginal ? "; its version from the session's start is back in place" : "") +
      `; restore it with: ${restoreCommand(workspace, q)}`,
  );
  for (const f of result.failed) lines.push(`could not quarantine ${f.rel}: ${f.reason}`);
  return lines;
}

export class Quarantine {
  #snapshot: Snapshot;
  readonly #base: string;

  /** Takes the snapshot now (session start). `stateDir` is $XDG_STATE_HOME/acp-sandbox. */
  constructor(
    readonly workspace: string,
    stateDir: string,
  ) {
    this.#snapshot = takeSnapshot(workspace);
    this.#base = path.join(stateDir, "quarantine", workspaceId(workspace));
  }

  /** `$XDG_STATE_HOME/acp-sandbox/quarantine/<workspace-id>`: one folder per sweep that moved something, named by its time. */
  get dir(): string {
    return this.#base;
  }

  /** The `.git` directories seen at the last snapshot (relative). */
  get gitDirs(): Iterable<string> {
    return this.#snapshot.gitDirs;
  }

  /** Why the start scan stopped early (new paths are then not moved), if it did. */
  get incomplete(): string | undefined {
    return this.#snapshot.truncated;
  }

  /** Moves what appeared or changed since the last sweep; `covered` are host paths mounted read-only inside. */
  sweep(covered: readonly string[] = []): SweepResult {
    const rel = covered.map((c) => path.relative(this.workspace, c).split(path.sep).join("/")).filter((r) => r && !r.startsWith(".."));
    let dest = path.join(this.#base, new Date().toISOString().replace(/[:.]/g, "-"));
    for (let n = 2; existsSync(dest); n++) dest = `${dest.replace(/-\d+$/, "")}-${n}`;
    const result = sweep(this.workspace, this.#snapshot, dest, rel);
    if (result.moved.length > 0) this.#snapshot = afterMoves(this.#snapshot, this.workspace, result.moved);
    return result;
  }
}
