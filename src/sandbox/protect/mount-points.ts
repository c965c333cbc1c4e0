// Mount points the bridge had to create on the host: recorded before they exist, removed at exit or by the next bridge.
import { closeSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { errorMessage } from "../../errors.js";
import { processStartTime } from "../docker/labels.js";
import type { MountPoint } from "./plan.js";

interface Record {
  readonly pid: number;
  readonly start: string;
  readonly workspace: string;
  /** Absolute host paths this bridge created, in creation order. */
  readonly created: Array<{ path: string; kind: MountPoint["kind"] }>;
}

function recordDir(stateDir: string): string {
  return path.join(stateDir, "mount-points");
}

function write(file: string, record: Record): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(record), { mode: 0o600 });
  renameSync(tmp, file);
}

/** Removes what a record names, deepest first, only while it is still what was created (an empty dir, an empty file). */
function removeCreated(created: Record["created"]): string[] {
  const left: string[] = [];
  for (const { path: p, kind } of [...created].reverse()) {
    try {
      const st = lstatSync(p);
      if (kind === "dir" && st.isDirectory()) rmdirSync(p);
      else if (kind === "file" && st.isFile() && st.size === 0) unlinkSync(p);
      else left.push(p);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") left.push(p);
    }
  }
  return left;
}

export interface CreatedMountPoints {
  readonly paths: readonly string[];
  /** Mount points that could not be made (a read-only workspace, a link in the way), with the reason. */
  readonly failed: ReadonlyArray<{ point: MountPoint; reason: string }>;
  /** Removes them (idempotent); returns those left because they are no longer empty. */
  remove(): string[];
}

/**
 * Creates the missing mount points under `workspace`, one level at a time, recording each (with this bridge's pid
 * and start time) under `<stateDir>/mount-points/` before it exists, so that a bridge killed with SIGKILL leaves
 * a record the next start or `prune` acts on. Parents the bridge had to create are recorded too.
 */
export function createMountPoints(workspace: string, points: readonly MountPoint[], stateDir: string): CreatedMountPoints {
  const file = path.join(recordDir(stateDir), `${process.pid}-${Date.now()}.json`);
  const record: Record = { pid: process.pid, start: processStartTime(process.pid) ?? "?", workspace, created: [] };
  const created = record.created;
  const failed: Array<{ point: MountPoint; reason: string }> = [];
  for (const point of points) {
    const parts = point.rel.split("/");
    try {
      for (let i = 1; i <= parts.length; i++) {
        const full = path.join(workspace, ...parts.slice(0, i));
        const kind = i === parts.length ? point.kind : "dir";
        let exists = true;
        try {
          if (lstatSync(full).isSymbolicLink()) throw new Error(`${full} is a symbolic link`);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
          exists = false;
        }
        if (exists) continue;
        created.push({ path: full, kind });
        write(file, record);
        try {
          if (kind === "dir") mkdirSync(full, { mode: 0o755 });
          else closeSync(openSync(full, "wx", 0o644));
        } catch (error) {
          created.pop();
          throw error;
        }
      }
    } catch (error) {
      failed.push({ point, reason: errorMessage(error) });
    }
  }
  if (created.length === 0) {
    rmSync(file, { force: true });
    return { paths: [], failed, remove: () => [] };
  }
  let done: string[] | undefined;
  write(file, record);
  return {
    paths: created.map((c) => c.path),
    failed,
    remove: () => {
      if (done) return done;
      done = removeCreated(created);
      rmSync(file, { force: true });
      return done;
    },
  };
}

/** Removes the mount points of bridges that are gone (their record's pid no longer runs with that start time), of one workspace or all. */
export function removeStaleMountPoints(stateDir: string, workspace?: string): { removed: string[]; left: string[] } {
  const removed: string[] = [];
  const left: string[] = [];
  const dir = recordDir(stateDir);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return { removed, left };
  }
  for (const name of names) {
    if (!name.endsWith(".json")) continue;
    const file = path.join(dir, name);
    let record: Record;
    try {
      record = JSON.parse(readFileSync(file, "utf8")) as Record;
    } catch {
      continue;
    }
    if (processStartTime(record.pid) === record.start || (workspace !== undefined && record.workspace !== workspace)) continue;
    const stay = removeCreated(record.created ?? []);
    left.push(...stay);
    removed.push(...record.created.map((c) => c.path).filter((p) => !stay.includes(p)));
    rmSync(file, { force: true });
  }
  return { removed, left };
}
