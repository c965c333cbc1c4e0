// One cgroup per bwrap sandbox: its limits, what the kernel recorded against them, and its removal.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { processStartTime } from "../docker/labels.js";
import type { ResourceLimits } from "../types.js";
import type { CgroupSupport } from "./cgroup-support.js";
import { type LimitEvents, NO_EVENTS } from "./format.js";

const PREFIX = "acp-sandbox-";

export interface SandboxCgroup {
  readonly version: "v1" | "v2";
  /** The cgroup.procs files a process writes its pid into to join (one per hierarchy). */
  readonly procsFiles: readonly string[];
  /** What the kernel counted so far: OOM kills, forks refused at pids.max. */
  events(): LimitEvents;
  /** SIGKILLs whatever is still inside, then removes the cgroup. Idempotent; never throws. */
  remove(): Promise<void>;
}

function field(text: string | undefined, name: string): number {
  const m = text === undefined ? null : new RegExp(`^${name} (\\d+)$`, "m").exec(text);
  return m ? Number(m[1]) : 0;
}

function read(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

function pidsIn(dir: string): number[] {
  return (read(path.join(dir, "cgroup.procs")) ?? "").split("\n").filter(Boolean).map(Number);
}

function killAll(dir: string): void {
  if (existsSync(path.join(dir, "cgroup.kill"))) {
    try {
      writeFileSync(path.join(dir, "cgroup.kill"), "1");
      return;
    } catch {
      // fall back to one by one
    }
  }
  for (const pid of pidsIn(dir)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone already
    }
  }
}

/** Kills what is left, waits for it to go (at most ~2 s), removes the directory. Never throws. */
async function removeDir(dir: string): Promise<boolean> {
  if (!existsSync(dir)) return true;
  for (let i = 0; i < 40; i++) {
    killAll(dir);
    try {
      rmdirSync(dir);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

/** The sandbox's directories: one in v2, one per hierarchy in v1 (one when pids and memory share it). */
function directories(support: Exclude<CgroupSupport, { kind: "none" }>, name: string): string[] {
  if (support.kind === "v2") return [path.join(support.parent, name)];
  return [...new Set([path.join(support.pids, name), path.join(support.memory, name)])];
}

/** Writes a limit file; an absent optional one (swap accounting off) is skipped. */
function write(dir: string, file: string, value: string, optional = false): void {
  const target = path.join(dir, file);
  if (optional && !existsSync(target)) return;
  writeFileSync(target, value);
}

/** Creates the sandbox's cgroup with its limits; throws (with the reason) when the kernel refuses. */
export function createSandboxCgroup(support: Exclude<CgroupSupport, { kind: "none" }>, limits: ResourceLimits): SandboxCgroup {
  const name = `${PREFIX}${process.pid}-${randomBytes(4).toString("hex")}`;
  const dirs = directories(support, name);
  try {
    for (const dir of dirs) mkdirSync(dir);
    if (support.kind === "v2") {
      const [dir] = dirs as [string];
      if (limits.pids !== undefined) write(dir, "pids.max", String(limits.pids));
      if (limits.memoryBytes !== undefined) {
        write(dir, "memory.max", String(limits.memoryBytes));
        write(dir, "memory.swap.max", "0", true);
      }
    } else {
      const pidsDir = path.join(support.pids, name);
      const memoryDir = path.join(support.memory, name);
      if (limits.pids !== undefined) write(pidsDir, "pids.max", String(limits.pids));
      if (limits.memoryBytes !== undefined) {
        write(memoryDir, "memory.limit_in_bytes", String(limits.memoryBytes));
        write(memoryDir, "memory.memsw.limit_in_bytes", String(limits.memoryBytes), true);
      }
    }
  } catch (error) {
    for (const dir of dirs) void removeDir(dir);
    throw error;
  }
  let removed: Promise<void> | undefined;
  return {
    version: support.kind,
    procsFiles: dirs.map((dir) => path.join(dir, "cgroup.procs")),
    events: () => {
      if (support.kind === "v2") {
        const [dir] = dirs as [string];
        return { oomKills: field(read(path.join(dir, "memory.events")), "oom_kill"), pidsMax: field(read(path.join(dir, "pids.events")), "max") };
      }
      const memory = read(path.join(support.memory, name, "memory.oom_control"));
      if (memory === undefined) return NO_EVENTS;
      return { oomKills: field(memory, "oom_kill"), pidsMax: field(read(path.join(support.pids, name, "pids.events")), "max") };
    },
    remove: () => {
      removed ??= Promise.all(dirs.map(removeDir)).then(() => {});
      return removed;
    },
  };
}

/** Removes the cgroups of bridges that are gone (killed with SIGKILL), after killing what ran in them; returns them. */
export async function removeStaleCgroups(support: CgroupSupport): Promise<string[]> {
  if (support.kind === "none") return [];
  const parents = support.kind === "v2" ? [support.parent] : [...new Set([support.pids, support.memory])];
  const removed: string[] = [];
  for (const parent of parents) {
    let entries: string[];
    try {
      entries = readdirSync(parent);
    } catch {
      continue;
    }
    for (const entry of entries) {
      const m = new RegExp(`^${PREFIX}(\\d+)-[0-9a-f]+$`).exec(entry);
      if (!m || Number(m[1]) === process.pid || processStartTime(Number(m[1])) !== undefined) continue;
      if (await removeDir(path.join(parent, entry))) removed.push(path.join(parent, entry));
    }
  }
  return removed;
}
