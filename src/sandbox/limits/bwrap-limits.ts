// Limits for a bwrap sandbox: a cgroup shared by all its bwraps (pids, memory) and a sized tmpfs behind /tmp.
import { errorMessage } from "../../errors.js";
import type { Logger } from "../../log/logger.js";
import type { ResourceLimits } from "../types.js";
import { type CgroupSupport, cgroupSupport } from "./cgroup-support.js";
import { createSandboxCgroup, removeStaleCgroups, type SandboxCgroup } from "./cgroup.js";
import { formatBytes, limitReason } from "./format.js";
import { canMountTmpfs, mountTmpfs, unmountTmpfs } from "./tmpfs.js";

export interface BwrapLimits {
  /** pids and memory are enforced (a cgroup holds every process of the sandbox). */
  readonly processLimits: boolean;
  /** /tmp is a tmpfs of the --tmp-size. */
  readonly tmpLimited: boolean;
  /** The cgroup.procs files each bwrap joins before it starts (none when not enforced). */
  readonly procsFiles: readonly string[];
  /** The limit the sandbox hit, if any (`out of memory (limit 256 MiB)`). */
  reason(): string | undefined;
  /** Kills what is left in the cgroup, removes it, unmounts /tmp. Call after the processes are stopped. */
  release(): Promise<void>;
}

/** What doctor says about bwrap's limits on this machine. */
export function describeBwrapLimits(support: CgroupSupport = cgroupSupport()): { enforced: boolean; detail: string; fix?: string } {
  const tmp = canMountTmpfs() ? "/tmp: a tmpfs of --tmp-size" : "/tmp: not size-limited (mounting a tmpfs shared by the agent and its terminals needs root)";
  if (support.kind === "none") return { enforced: false, detail: `pids and memory: not enforced, ${support.why}; ${tmp}`, fix: support.fix };
  const where = support.kind === "v2" ? `cgroup v2 under ${support.parent}` : `cgroup v1 under ${support.pids} and ${support.memory}`;
  return { enforced: true, detail: `pids and memory: enforced (${where}); ${tmp}` };
}

export async function startBwrapLimits(limits: ResourceLimits, scratchTmp: string, log: Logger): Promise<BwrapLimits> {
  const support = cgroupSupport();
  let cgroup: SandboxCgroup | undefined;
  if (support.kind !== "none") {
    const stale = await removeStaleCgroups(support);
    if (stale.length > 0) log.debug(`bwrap: removed ${stale.length} cgroup${stale.length === 1 ? "" : "s"} of bridges that are gone`);
    try {
      cgroup = createSandboxCgroup(support, limits);
    } catch (error) {
      log.warn(`bwrap: pids and memory limits not enforced: cannot create a cgroup (${errorMessage(error)})`);
    }
  } else {
    log.warn(`bwrap: pids and memory limits not enforced: ${support.why} (${support.fix})`);
  }
  let tmpLimited = false;
  if (limits.tmpBytes !== undefined && !canMountTmpfs()) log.debug("bwrap: /tmp is not size-limited: a tmpfs shared by the agent and its terminals needs root");
  if (limits.tmpBytes !== undefined && canMountTmpfs()) {
    try {
      mountTmpfs(scratchTmp, limits.tmpBytes);
      tmpLimited = true;
    } catch (error) {
      log.warn(`bwrap: /tmp not size-limited: cannot mount a tmpfs (${errorMessage(error).split("\n")[0]})`);
    }
  }
  const said = [
    cgroup ? `pids ${limits.pids ?? "unlimited"}, memory ${limits.memoryBytes !== undefined ? formatBytes(limits.memoryBytes) : "unlimited"} (cgroup ${cgroup.version})` : "",
    tmpLimited ? `/tmp ${formatBytes(limits.tmpBytes!)}` : "",
  ].filter(Boolean);
  if (said.length > 0) log.debug(`bwrap: limits ${said.join(", ")}`);
  return {
    processLimits: cgroup !== undefined,
    tmpLimited,
    procsFiles: cgroup?.procsFiles ?? [],
    reason: () => (cgroup ? limitReason(cgroup.events(), limits) : undefined),
    release: async () => {
      await cgroup?.remove();
      if (tmpLimited) unmountTmpfs(scratchTmp);
    },
  };
}
