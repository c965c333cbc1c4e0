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
  const planned = planProtection(scan);
  if (planned.leftOut.length > 0) {
    const list = planned.leftOut.length > 5 ? `${planned.leftOut.slice(0, 5).join(", ")}, …` : planned.leftOut.join(", ");
    log.warn(`${backend}: protected paths not made read-only (${list}); the quarantine still checks them after each turn`);
  }
  let created;
  try {
    created = createMountPoints(spec.workspace, planned.create, stateDir);
  } catch (error) {
    throw new SandboxUnavailableError(`cannot record the mount points for the protected paths: ${errorMessage(error)}`, `check that ${stateDir} is writable`, { cause: error });
  }
  for (const f of created.failed) log.warn(`${backend}: cannot make ${f.point.rel} read-only: ${f.reason}; the quarantine still checks it after each turn`);
  const missing = new Set(created.failed.map((f) => f.point.rel));
  const plan = missing.size === 0 ? planned : { ...planned, mounts: planned.mounts.filter((m) => !missing.has(m.rel)), create: planned.create.filter((p) => !missing.has(p.rel)) };
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
