// Gets the container for a session: a new transient one, or the kept one for this workspace and configuration.
import type Docker from "dockerode";
import { SandboxUnavailableError } from "../../errors.js";
import type { Logger } from "../../log/logger.js";
import { dockerErrorMessage, isConflict } from "./client.js";
import { configHash, containerMounts, containerOptions, type ContainerPlan } from "./container-options.js";
import { removeContainer } from "./housekeeping.js";
import { LABEL, labelFilters } from "./labels.js";

interface MountView {
  readonly type: string;
  readonly source: string;
  readonly target: string;
  readonly writable: boolean;
}

/** `source→target (rw|ro)` for each bind mount, `volume→target` for a volume: what the reuse check compares. */
export function mountSignature(mounts: readonly MountView[]): string[] {
  return mounts.map((m) => `${m.type === "bind" ? m.source : m.type}→${m.target} (${m.writable ? "rw" : "ro"})`).sort();
}

function wantedSignature(plan: ContainerPlan): string[] {
  return mountSignature(containerMounts(plan.spec, plan.workspaceMount, plan.protect).map((m) => ({ type: m.Type, source: m.Source, target: m.Target, writable: !m.ReadOnly })));
}

function actualSignature(info: Docker.ContainerInspectInfo): string[] {
  return mountSignature(
    info.Mounts.filter((m) => m.Type === "bind" || m.Type === "volume").map((m) => ({ type: m.Type, source: m.Source, target: m.Destination, writable: m.RW })),
  );
}

async function create(docker: Docker, plan: ContainerPlan, signal?: AbortSignal): Promise<Docker.Container> {
  const container = await docker.createContainer({ ...containerOptions(plan), ...(signal ? { abortSignal: signal } : {}) });
  try {
    await container.start();
  } catch (error) {
    await removeContainer(docker, container.id).catch(() => {});
    throw error;
  }
  return container;
}

async function findKept(docker: Docker, plan: ContainerPlan): Promise<Docker.Container | undefined> {
  const found = await docker.listContainers({
    all: true,
    filters: labelFilters({ [LABEL.workspace]: plan.spec.workspace, [LABEL.persist]: "reuse", [LABEL.config]: configHash(plan) }),
  });
  const first = found[0];
  if (!first) return undefined;
  const container = docker.getContainer(first.Id);
  const info = await container.inspect();
  const wanted = wantedSignature(plan);
  const actual = actualSignature(info);
  if (wanted.join("\n") !== actual.join("\n")) {
    const name = info.Name.replace(/^\//, "");
    throw new SandboxUnavailableError(
      `the kept container ${name} for ${plan.spec.workspace} has other mounts than this session needs (it has ${actual.join(", ") || "none"}; wanted ${wanted.join(", ")})`,
      "remove it with `acp-sandbox prune`, or run with --persist transient",
    );
  }
  if (info.State.Paused) await container.unpause();
  else if (!info.State.Running) await container.start();
  return container;
}

/** Whether any exec runs in the container now (another bridge is using it). */
async function execRunning(docker: Docker, info: Docker.ContainerInspectInfo): Promise<boolean> {
  for (const execId of info.ExecIDs ?? []) {
    const exec = await docker.getExec(execId).inspect().catch(() => undefined);
    if (exec?.Running) return true;
  }
  return false;
}

/**
 * Pauses a kept container once no bridge uses it, so that processes an agent left running there do not run
 * unattended; the next bridge that picks it up resumes it (`findKept`). Says whether it paused it. Never throws.
 */
export async function pauseIfIdle(docker: Docker, id: string, log: Logger, settleMs = 3000): Promise<boolean> {
  try {
    const container = docker.getContainer(id);
    // The daemon can report this bridge's execs as running for a moment after their streams ended (seen on a
    // loaded machine): wait a little for them to settle before deciding another bridge is using the container.
    const deadline = Date.now() + settleMs;
    for (;;) {
      const info = await container.inspect();
      if (!info.State.Running || info.State.Paused) return false;
      if (!(await execRunning(docker, info))) break;
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await container.pause();
    return true;
  } catch (error) {
    log.warn(`docker: could not pause the kept container: ${dockerErrorMessage(error)}; what runs in it keeps running until \`acp-sandbox prune\``);
    return false;
  }
}

/** The container this session runs in, started. Says on stderr which one, and whether it was reused. */
export async function obtainContainer(docker: Docker, plan: ContainerPlan, log: Logger, signal?: AbortSignal): Promise<{ container: Docker.Container; reused: boolean }> {
  try {
    if (plan.persist === "transient") return { container: await create(docker, plan, signal), reused: false };
    const kept = await findKept(docker, plan);
    if (kept) return { container: kept, reused: true };
    try {
      return { container: await create(docker, plan, signal), reused: false };
    } catch (error) {
      // Another bridge created the same kept container a moment ago: use it.
      if (isConflict(error)) {
        const raced = await findKept(docker, plan);
        if (raced) return { container: raced, reused: true };
      }
      throw error;
    }
  } catch (error) {
    if (error instanceof SandboxUnavailableError) throw error;
    log.debug(`docker: container creation failed: ${dockerErrorMessage(error)}`);
    throw new SandboxUnavailableError(`cannot start the container: ${dockerErrorMessage(error)}`, undefined, { cause: error });
  }
}
