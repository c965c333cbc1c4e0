// Runtime → host: list the runtime, decide each change against the host, fetch only changed files, land them safely.
import { access, chmod } from "node:fs/promises";
import path from "node:path";
import { errorMessage, SyncError } from "../errors.js";
import { ensureDir, removeHostEntry, symlinkAtomic, UnsafeHostPathError } from "./atomic.js";
import type { Counts, SyncRun } from "./context.js";
import { runtimeManifest } from "./context.js";
import { conflictName, MODE_MASK, retargetLink, toBaseline } from "./entries.js";
import { extractToHost } from "./extract.js";
import { planToHost, runtimeChanges, type ToHostStep } from "./plan.js";
import { protectedBy } from "./protected.js";
import { Progress } from "./report.js";
import { statHostPath } from "./scan.js";
import type { ManifestEntry, SyncConflict, SyncSkip } from "./types.js";

interface Fetch {
  readonly dest: string;
  readonly runtime: ManifestEntry;
  /** Set for a conflict: the runtime's version lands beside the host's. */
  readonly conflict?: SyncConflict;
}

/** Whether landing `r` where `h` is needs `h` removed first (a directory replaced, or replacing one). */
function needsRoom(h: ManifestEntry | SyncSkip | undefined, r: ManifestEntry): boolean {
  return !!h && !("reason" in h) && (h.type === "dir") !== (r.type === "dir");
}

async function freeConflictName(workspace: string, rel: string, taken: ReadonlySet<string>): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const name = conflictName(rel, attempt);
    if (taken.has(name)) continue;
    try {
      await access(path.join(workspace, name));
    } catch {
      return name;
    }
  }
}

export async function syncToHost(run: SyncRun, dirty: ReadonlySet<string> | undefined, onConflict: (c: SyncConflict) => void): Promise<Counts> {
  const { workspace, runtime, baseline, next, skipped, log, signal } = run;
  const conflict = (c: SyncConflict) => {
    run.conflicts.push(c);
    onConflict(c);
  };
  const remote = await runtimeManifest(run, true);
  const changed = runtimeChanges(baseline, remote);
  const hostNow = new Map<string, ManifestEntry | SyncSkip | undefined>();
  for (const rel of changed) hostNow.set(rel, await statHostPath(workspace, rel, baseline.get(rel), dirty?.has(rel) ?? true));
  const steps = planToHost(baseline, remote, changed, hostNow, (rel) => protectedBy(rel, remote, workspace));
  const counts = { files: 0, bytes: 0, deletions: 0 };
  const refuse = (rel: string, error: unknown) => {
    if (!(error instanceof UnsafeHostPathError)) throw error;
    skipped.push({ path: rel, reason: `refused: ${error.message}` });
  };

  // Deletions first, deepest first, so that an entry changing type finds its place free.
  const blocked = new Set<string>();
  for (const step of [...steps].reverse()) {
    const makeRoom = step.kind === "write" && needsRoom(hostNow.get(step.rel), step.runtime);
    if (step.kind !== "delete" && !makeRoom) continue;
    try {
      if (!(await removeHostEntry(workspace, step.rel))) {
        skipped.push({ path: step.rel, reason: "directory not empty on the host (it holds files that do not travel); left in place" });
        blocked.add(step.rel);
      } else if (step.kind === "delete") {
        next.delete(step.rel);
        counts.deletions += 1;
      }
    } catch (error) {
      refuse(step.rel, error);
      blocked.add(step.rel);
    }
  }

  const fetches = new Map<string, Fetch>();
  const dests = new Set<string>();
  for (const step of steps) await planStep(step);

  async function planStep(step: ToHostStep): Promise<void> {
    switch (step.kind) {
      case "skip":
        skipped.push(step.skip);
        return;
      case "delete":
        return;
      case "settled":
        if (step.runtime) next.set(step.rel, { ...toBaseline(step.runtime, "runtime"), hostMtimeMs: step.host?.mtimeMs });
        else next.delete(step.rel);
        return;
      case "conflict": {
        const c: SyncConflict = { path: step.rel, detail: step.detail };
        if (step.runtime?.type === "file") {
          const dest = await freeConflictName(workspace, step.rel, dests);
          dests.add(dest);
          fetches.set(step.rel, { dest, runtime: step.runtime, conflict: c });
        } else {
          conflict(c);
        }
        // The host's copy wins: the next sync to the runtime sends it there.
        if (step.runtime) next.set(step.rel, { ...toBaseline(step.runtime, "runtime"), hostMtimeMs: undefined });
        else next.delete(step.rel);
        return;
      }
      case "write": {
        const r = step.runtime;
        if (blocked.has(step.rel)) return;
        try {
          if (r.type === "file") {
            fetches.set(step.rel, { dest: step.rel, runtime: r });
            dests.add(step.rel);
          } else if (r.type === "dir") {
            await ensureDir(workspace, step.rel, r.mode & MODE_MASK);
            await chmod(path.join(workspace, step.rel), r.mode & MODE_MASK);
            next.set(step.rel, toBaseline(r, "runtime"));
            counts.files += 1;
          } else {
            const mtimeMs = await symlinkAtomic(workspace, step.rel, retargetLink(r.target ?? "", runtime.root, workspace));
            next.set(step.rel, { ...toBaseline(r, "runtime"), hostMtimeMs: mtimeMs });
            counts.files += 1;
          }
        } catch (error) {
          refuse(step.rel, error);
        }
        return;
      }
    }
  }

  if (fetches.size === 0) return counts;
  const total = { files: fetches.size, bytes: [...fetches.values()].reduce((sum, f) => sum + f.runtime.size, 0) };
  const progress = new Progress(log, "sync runtime → host", () => total);
  try {
    const archive = await runtime.fetch([...fetches.keys()], signal);
    const extracted = await extractToHost(
      workspace,
      archive,
      (rel, type) => {
        const wanted = fetches.get(rel);
        if (!wanted) return { refuse: "refused: the runtime sent a path that was not asked for" };
        if (type !== "file") return { refuse: `refused: expected a file, the runtime sent a ${type === "dir" ? "directory" : type}` };
        return { dest: wanted.dest };
      },
      { ...(signal ? { signal } : {}), onFile: progress.add },
    ).catch((error: unknown) => {
      if (error instanceof SyncError || signal?.aborted) throw error;
      throw new SyncError(`the copy from the runtime broke off after ${progress.files} of ${total.files} files (${errorMessage(error)}); nothing half-written was left, sync again`, { cause: error });
    });
    skipped.push(...extracted.refused);
    for (const landed of extracted.landed) {
      const wanted = fetches.get(landed.rel)!;
      fetches.delete(landed.rel);
      if (wanted.conflict) {
        conflict({ ...wanted.conflict, keptAs: landed.dest });
        continue;
      }
      const r = wanted.runtime;
      next.set(landed.rel, {
        ...toBaseline({ ...r, hash: landed.hash, size: landed.size, mode: landed.mode }, "runtime"),
        hostMtimeMs: landed.mtimeMs,
        // Changed again between the listing and the copy: the next listing hashes it afresh.
        ...(landed.hash === r.hash ? {} : { runtimeMtimeMs: undefined }),
      });
      counts.files += 1;
      counts.bytes += landed.size;
    }
  } finally {
    progress.stop();
  }
  for (const [rel, wanted] of fetches) {
    if (!skipped.some((s) => s.path === rel)) skipped.push({ path: rel, reason: "vanished from the runtime before it could be copied" });
    if (wanted.conflict) conflict(wanted.conflict);
    else {
      const b = baseline.get(rel);
      if (b) next.set(rel, b);
      else next.delete(rel);
    }
  }
  return counts;
}
