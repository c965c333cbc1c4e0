// Where this machine lets the bridge make a cgroup per sandbox: cgroup v2 with pids+memory, v1 pids+memory, or nowhere (and why).
import { accessSync, constants, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * `v2`: sandboxes' cgroups go under `parent`, a writable v2 cgroup whose children get pids and memory.
 * `v1`: under `pids` and `memory`, the bridge's own cgroups in writable v1 hierarchies.
 */
export type CgroupSupport =
  | { readonly kind: "v2"; readonly parent: string }
  | { readonly kind: "v1"; readonly pids: string; readonly memory: string }
  | { readonly kind: "none"; readonly why: string; readonly fix: string };

interface Mount {
  readonly point: string;
  readonly type: string;
  readonly options: readonly string[];
}

/** cgroup and cgroup2 mounts from /proc/self/mountinfo (mount point, type, super options). */
export function cgroupMounts(mountinfo: string): Mount[] {
  const out: Mount[] = [];
  for (const line of mountinfo.split("\n")) {
    const [left, right] = line.split(" - ");
    if (!left || !right) continue;
    const [type, , superOptions = ""] = right.split(" ");
    if (type !== "cgroup" && type !== "cgroup2") continue;
    out.push({ point: left.split(" ")[4]!.replace(/\\040/g, " "), type, options: superOptions.split(",") });
  }
  return out;
}

/** `/proc/self/cgroup`: controller (or "" for v2) → the process's cgroup path. */
export function ownCgroups(procCgroup: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of procCgroup.split("\n")) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line.trim());
    if (!m) continue;
    for (const controller of m[1]!.split(",")) out.set(controller, m[2]!);
  }
  return out;
}

/** The cgroup's directory, without the trailing slash of the hierarchy's root. */
function cgroupDir(point: string, rel: string): string {
  const dir = path.join(point, rel);
  return dir.length > 1 ? dir.replace(/\/$/, "") : dir;
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    accessSync(path.join(dir, "cgroup.procs"), constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function read(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/** Enables pids and memory for the cgroup's children (refused where it holds processes itself, unless it is the root). */
function handsDown(dir: string): boolean {
  const file = path.join(dir, "cgroup.subtree_control");
  const enabled = (read(file) ?? "").split(/\s+/);
  if (enabled.includes("pids") && enabled.includes("memory")) return true;
  try {
    writeFileSync(file, "+pids +memory");
    return true;
  } catch {
    return false;
  }
}

/** v2: the nearest cgroup above ours (ours if it is the root) that we may write and whose children may have pids and memory. */
export function v2Parent(mount: Pick<Mount, "point">, own: string): string | undefined {
  // Our own cgroup holds processes (us): only the root may hold processes and hand controllers down.
  let rel = own === "/" ? "/" : path.posix.dirname(own);
  for (;;) {
    const dir = cgroupDir(mount.point, rel);
    const controllers = (read(path.join(dir, "cgroup.controllers")) ?? "").split(/\s+/);
    if (controllers.includes("pids") && controllers.includes("memory") && writable(dir) && handsDown(dir)) return dir;
    if (rel === "/") return undefined;
    rel = path.posix.dirname(rel);
  }
}

function detect(): CgroupSupport {
  const mountinfo = read("/proc/self/mountinfo");
  const procCgroup = read("/proc/self/cgroup");
  if (mountinfo === undefined || procCgroup === undefined) return { kind: "none", why: "not Linux (no /proc/self/cgroup)", fix: "use --sandbox docker" };
  const mounts = cgroupMounts(mountinfo);
  const own = ownCgroups(procCgroup);
  const v2 = mounts.find((m) => m.type === "cgroup2");
  if (v2 && own.has("")) {
    const parent = v2Parent(v2, own.get("")!);
    if (parent) return { kind: "v2", parent };
  }
  const v1 = (controller: string) => {
    const mount = mounts.find((m) => m.type === "cgroup" && m.options.includes(controller));
    const rel = own.get(controller);
    if (!mount || rel === undefined) return undefined;
    const dir = cgroupDir(mount.point, rel);
    return writable(dir) ? dir : undefined;
  };
  const pids = v1("pids");
  const memory = v1("memory");
  if (pids && memory) return { kind: "v1", pids, memory };
  const hasV1 = mounts.some((m) => m.type === "cgroup" && (m.options.includes("pids") || m.options.includes("memory")));
  if (v2 && !hasV1) {
    return {
      kind: "none",
      why: "no cgroup v2 with the pids and memory controllers is delegated to this user",
      fix: "run the bridge in a delegated systemd scope (systemd-run --user --scope -p Delegate=yes acp-sandbox …), run it as root, or use --sandbox docker",
    };
  }
  return {
    kind: "none",
    why: `the cgroup v1 pids and memory hierarchies are not writable by this user (${[pids ? "" : "pids", memory ? "" : "memory"].filter(Boolean).join(", ")})`,
    fix: "run the bridge as root, boot with cgroup v2 (systemd.unified_cgroup_hierarchy=1) so that systemd can delegate it, or use --sandbox docker",
  };
}

let cached: CgroupSupport | undefined;

/** Detected once per process. */
export function cgroupSupport(): CgroupSupport {
  cached ??= detect();
  return cached;
}
