// At sandbox start: scan the workspace, create the missing mount points, and hand the providers the mounts.
import { errorMessage, SandboxUnavailableError } from "../../errors.js";
import type { Logger } from "../../log/logger.js";
import { scanProtected } from "../../policy/protected-scan.js";
import { defaultStateDir } from "../../sync/baseline.js";
import type { SandboxSpec } from "../types.js";
import { createMountPoints, removeStaleMountPoints } from "./mount-points.js";
import { planProtection, type ProtectPlan } from "./plan.js";

export interface Protection {
  readonly plan: ProtectPlan;
  /** Host paths mounted read-only inside (whatever changes under them came from the host). */
  readonly readOnly: readonly string[];
  /** Removes the mount points the bridge created; call once the sandbox's processes are gone. */
  release(): void;
}

/** No protection mounts: copy mode (the runtime has its own copy) and backends that share no workspace. */
export const NO_PROTECTION: Protection = { plan: { mounts: [], create: [], leftOut: [] }, readOnly: [], release: () => {} };

/**
 * Scans `spec.workspace` for protected paths (bounded, links not followed), plans their read-only mounts,
 * creates the mount points that are missing (recorded under $XDG_STATE_HOME/acp-sandbox/mount-points/), and
 * first removes those a dead bridge left.
 */
export function prepareProtection(spec: SandboxSpec, log: Logger, backend: string, stateDir: string = defaultStateDir()): Protection {
  const stale = removeStaleMountPoints(stateDir);
  if (stale.removed.length > 0) log.debug(`${backend}: removed ${stale.removed.length} mount point(s) a bridge that is gone left: ${stale.removed.join(", ")}`);
  for (const p of stale.left) log.warn(`${backend}: ${p} was created as a mount point by a bridge that is gone, but is no longer empty; left in place`);
  const scan = scanProtected(spec.workspace);
  const plan = planProtection(scan);
  if (plan.leftOut.length > 0) {
    log.warn(`${backend}: protected paths not made read-only (${plan.leftOut.length > 5 ? `${plan.leftOut.slice(0, 5).join(", ")}, …` : plan.leftOut.join(", ")}); the quarantine still checks them after each turn`);
  }
  let created;
  try {
    created = createMountPoints(spec.workspace, plan.create, stateDir);
  } catch (error) {
    throw new SandboxUnavailableError(`cannot create the mount points for the protected paths in ${spec.workspace}: ${errorMessage(error)}`, "check that the workspace is writable", { cause: error });
  }
  const ro = plan.mounts.filter((m) => m.mode === "ro").map((m) => m.rel);
  log.info(`${backend}: protected paths read-only: ${ro.length === 0 ? "none found" : ro.length > 8 ? `${ro.slice(0, 8).join(", ")} and ${ro.length - 8} more` : ro.join(", ")}`);
  return {
    plan,
    readOnly: ro.map((rel) => `${spec.workspace}/${rel}`),
    release: () => {
      for (const p of created.remove()) log.warn(`${backend}: left ${p} (created as a mount point, no longer empty)`);
    },
  };
}
