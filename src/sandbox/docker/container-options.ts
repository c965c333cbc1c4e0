// Container and exec create options, built as data from the resolved sandbox: read by tests without Docker.
import { createHash } from "node:crypto";
import path from "node:path";
import type Docker from "dockerode";
import type { ProcessSpec, SandboxSpec } from "../types.js";
import { type ProtectPlan, protectBinds } from "../protect/plan.js";
import { EXEC_WRAPPER } from "./exec-marker.js";
import { LABEL, type Persist } from "./labels.js";

/** PATH inside containers: the image's usual directories, not the host's. */
export const CONTAINER_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/** The container's own process: idles until removed; the agent and terminals are execs beside it. */
export const KEEPALIVE = ["/bin/sh", "-c", "trap 'exit 0' TERM INT; while :; do sleep 86400 & wait $!; done"];
const TMPFS_SIZE = "1g";

export interface ContainerPlan {
  readonly spec: SandboxSpec;
  readonly image: string;
  /** A Docker runtime name (`runsc` for gVisor); the daemon's default when undefined. */
  readonly runtime: string | undefined;
  readonly persist: Persist;
  /** This bridge's session id (a label, and part of a transient container's name). */
  readonly session: string;
  /** `host/pid/starttime` of the bridge that created the container. */
  readonly owner: string;
  readonly uid: number;
  readonly gid: number;
  /** HOME inside (a tmpfs). */
  readonly home: string;
  /** Replaces the workspace's bind mount (copy mode: a volume holding the session's copy). */
  readonly workspaceMount?: Docker.MountSettings | undefined;
  /** Read-only mounts over the workspace's protected paths (bind mode only). */
  readonly protect?: ProtectPlan | undefined;
}

/**
 * The mounts: the workspace read-write at the runtime root (or its copy's volume), its protected paths read-only
 * on top (bind mode; Docker mounts parents first), extra directories as granted.
 */
export function containerMounts(spec: SandboxSpec, workspaceMount?: Docker.MountSettings, protect?: ProtectPlan): Docker.MountSettings[] {
  const mounts: Docker.MountSettings[] = [workspaceMount ?? { Type: "bind", Source: spec.workspace, Target: spec.runtimeRoot, ReadOnly: false }];
  if (!workspaceMount && protect) {
    for (const b of protectBinds(protect, spec.workspace, spec.runtimeRoot)) mounts.push({ Type: "bind", Source: b.source, Target: b.target, ReadOnly: !b.writable });
  }
  for (const extra of spec.extraDirectories) {
    if (mounts.some((m) => m.Target === extra.runtimePath)) continue;
    mounts.push({ Type: "bind", Source: extra.hostPath, Target: extra.runtimePath, ReadOnly: !extra.writable });
  }
  return mounts;
}

/** A hash of everything that makes two containers interchangeable for `--persist reuse`. */
export function configHash(plan: ContainerPlan): string {
  const { spec } = plan;
  const identity = {
    image: plan.image,
    runtime: plan.runtime ?? "",
    mounts: containerMounts(spec, plan.workspaceMount, plan.protect).map((m) => [m.Type, m.Source, m.Target, m.ReadOnly]),
    network: spec.network,
    limits: spec.limits,
    user: `${plan.uid}:${plan.gid}`,
    home: plan.home,
  };
  return createHash("sha256").update(JSON.stringify(identity)).digest("hex").slice(0, 16);
}

/** `acp-sandbox-<workspace name>-<session or config>`: recognisable in `docker ps`. */
export function containerName(plan: ContainerPlan): string {
  const base = path.basename(plan.spec.workspace).toLowerCase().replace(/[^a-z0-9_.-]/g, "-").slice(0, 40) || "workspace";
  const suffix = plan.persist === "reuse" ? `kept-${configHash(plan).slice(0, 8)}` : plan.session.slice(0, 8);
  return `acp-sandbox-${base}-${suffix}`;
}

export function containerLabels(plan: ContainerPlan): Record<string, string> {
  return {
    [LABEL.app]: "1",
    [LABEL.workspace]: plan.spec.workspace,
    [LABEL.session]: plan.session,
    [LABEL.config]: configHash(plan),
    [LABEL.persist]: plan.persist,
    [LABEL.owner]: plan.owner,
  };
}

/**
 * The container: read-only root, every capability dropped, no new privileges, an init process, the
 * host's uid:gid, tmpfs HOME and /tmp, limits, no network unless open. Secrets are not here: each
 * exec gets the environment, so `docker inspect` of a kept container shows none.
 */
export function containerOptions(plan: ContainerPlan): Docker.ContainerCreateOptions {
  const { spec } = plan;
  const hostConfig: Docker.HostConfig = {
    Mounts: containerMounts(spec, plan.workspaceMount, plan.protect),
    Tmpfs: {
      [plan.home]: `rw,nosuid,nodev,size=${TMPFS_SIZE},mode=0700,uid=${plan.uid},gid=${plan.gid}`,
      "/tmp": `rw,nosuid,nodev,size=${spec.limits.tmpBytes ?? TMPFS_SIZE},mode=1777`,
    },
    ReadonlyRootfs: true,
    CapDrop: ["ALL"],
    SecurityOpt: ["no-new-privileges"],
    Init: true,
    NetworkMode: spec.network === "open" ? "bridge" : "none",
    IpcMode: "private",
    AutoRemove: false,
    ...(spec.limits.pids !== undefined ? { PidsLimit: spec.limits.pids } : {}),
    ...(spec.limits.memoryBytes !== undefined ? { Memory: spec.limits.memoryBytes, MemorySwap: spec.limits.memoryBytes } : {}),
    ...(spec.limits.cpus !== undefined ? { NanoCpus: Math.round(spec.limits.cpus * 1e9) } : {}),
    ...(plan.runtime ? { Runtime: plan.runtime } : {}),
  };
  return {
    name: containerName(plan),
    Image: plan.image,
    Entrypoint: KEEPALIVE,
    Cmd: [],
    User: `${plan.uid}:${plan.gid}`,
    WorkingDir: spec.runtimeRoot,
    Env: [`HOME=${plan.home}`, `PATH=${CONTAINER_PATH}`],
    Hostname: "acp-sandbox",
    Labels: containerLabels(plan),
    Tty: false,
    OpenStdin: false,
    HostConfig: hostConfig,
  };
}

/** The environment of one exec: the sandbox's, HOME and PATH for the container, then the process's own. */
export function execEnv(spec: SandboxSpec, home: string, process: ProcessSpec): string[] {
  const env: Record<string, string> = { ...spec.env, HOME: home, PATH: CONTAINER_PATH, ...process.env };
  return Object.entries(env).map(([name, value]) => `${name}=${value}`);
}

/** An exec: the command behind the wrapper that reports its pid, as the container's user, in its cwd. */
export function execOptions(plan: Pick<ContainerPlan, "spec" | "home" | "uid" | "gid">, process: ProcessSpec): Docker.ExecCreateOptions {
  return {
    Cmd: [...EXEC_WRAPPER, process.command, ...process.args],
    Env: execEnv(plan.spec, plan.home, process),
    WorkingDir: process.cwd ?? plan.spec.runtimeRoot,
    User: `${plan.uid}:${plan.gid}`,
  };
}
