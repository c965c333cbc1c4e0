// What `doctor` says about limits, per backend: enforced or not, by what, and what would fix it.
import type { DaemonInfo } from "../docker/probe.js";
import type { SandboxBackend } from "../types.js";
import { describeBwrapLimits } from "./bwrap-limits.js";

export interface LimitsReport {
  readonly enforced: boolean;
  readonly detail: string;
  readonly fix?: string;
}

export function dockerLimits(info: DaemonInfo): LimitsReport {
  const missing = [info.pidsLimit ? "" : "pids", info.memoryLimit ? "" : "memory"].filter(Boolean);
  const gvisor = info.runtimes.includes("runsc") ? "; under runsc gVisor's own threads count against --pids (default 4096 there)" : "";
  if (missing.length > 0) {
    return {
      enforced: false,
      detail: `the daemon cannot enforce ${missing.join(" and ")} limits (its kernel lacks the cgroup controller)`,
      fix: "boot the daemon's host with cgroup_enable=memory swapaccount=1 (or cgroup v2), then restart dockerd",
    };
  }
  return { enforced: true, detail: `pids, memory and /tmp enforced by the daemon (cgroup ${info.cgroupVersion})${gvisor}` };
}

export function backendLimits(backend: SandboxBackend, info?: DaemonInfo): LimitsReport | undefined {
  switch (backend) {
    case "local":
      return { enforced: false, detail: "not enforced (local isolates nothing)", fix: "use --sandbox bwrap or docker" };
    case "bwrap":
      return describeBwrapLimits();
    case "docker":
      return info ? dockerLimits(info) : undefined;
  }
}
