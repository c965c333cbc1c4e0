// What acp-sandbox left in Docker: list it, remove transient containers whose bridge is gone, prune.
import type Docker from "dockerode";
import type { Logger } from "../../log/logger.js";
import { dockerErrorMessage, isConflict, isNotFound } from "./client.js";
import { LABEL, labelFilters, ownerAlive, type Persist } from "./labels.js";

export interface SandboxContainer {
  readonly id: string;
  readonly name: string;
  readonly image: string;
  readonly state: string;
  readonly workspace: string;
  readonly persist: Persist;
  readonly session: string;
  readonly config: string;
  readonly owner: string;
  /** true/false for a bridge on this host; undefined when it ran elsewhere. */
  readonly ownerAlive: boolean | undefined;
  readonly created: Date;
  /** Copy mode: the container holds its own copy of the workspace (a volume), maybe with changes not yet synced. */
  readonly copy: boolean;
}

export async function listSandboxContainers(docker: Docker, labels: Readonly<Record<string, string>> = {}): Promise<SandboxContainer[]> {
  const found = await docker.listContainers({ all: true, filters: labelFilters(labels) });
  return found.map((c) => {
    const l = c.Labels ?? {};
    return {
      id: c.Id,
      name: (c.Names?.[0] ?? c.Id.slice(0, 12)).replace(/^\//, ""),
      image: c.Image,
      state: c.State,
      workspace: l[LABEL.workspace] ?? "",
      persist: l[LABEL.persist] === "reuse" ? "reuse" : "transient",
      session: l[LABEL.session] ?? "",
      config: l[LABEL.config] ?? "",
      owner: l[LABEL.owner] ?? "",
      ownerAlive: ownerAlive(l[LABEL.owner]),
      created: new Date(c.Created * 1000),
      copy: (c.Mounts ?? []).some((m) => m.Type === "volume"),
    };
  });
}

/** A transient container whose bridge died without removing it (SIGKILL, power loss). */
export function isOrphan(container: SandboxContainer): boolean {
  return container.persist === "transient" && container.ownerAlive === false;
}

/** Force-removes a container; already gone or already being removed counts as done. */
export async function removeContainer(docker: Docker, id: string): Promise<void> {
  try {
    await docker.getContainer(id).remove({ force: true, v: true });
  } catch (error) {
    if (isNotFound(error) || isConflict(error)) return;
    throw error;
  }
}

/**
 * Removes orphaned transient containers of one workspace (a bridge cleans up after its own workspace's dead
 * bridges; `acp-sandbox prune` sweeps every workspace); says what it removed. Never throws.
 */
export async function removeOrphans(docker: Docker, log: Logger, workspace: string): Promise<string[]> {
  const removed: string[] = [];
  try {
    for (const container of (await listSandboxContainers(docker, { [LABEL.persist]: "transient", [LABEL.workspace]: workspace })).filter(isOrphan)) {
      await removeContainer(docker, container.id);
      removed.push(container.name);
    }
  } catch (error) {
    log.warn(`docker: could not clean up containers left by earlier sessions: ${dockerErrorMessage(error)}`);
  }
  if (removed.length > 0) log.info(`docker: removed ${removed.length} container(s) left by a bridge that is gone: ${removed.join(", ")}`);
  return removed;
}

/** Whether a kept container runs an exec right now (a bridge is using it). */
async function inUse(docker: Docker, id: string): Promise<boolean> {
  try {
    const info = await docker.getContainer(id).inspect();
    for (const execId of info.ExecIDs ?? []) {
      const exec = await docker.getExec(execId).inspect().catch(() => undefined);
      if (exec?.Running) return true;
    }
  } catch {
    return false;
  }
  return false;
}

export interface PruneResult {
  readonly removed: readonly SandboxContainer[];
  readonly kept: ReadonlyArray<{ readonly container: SandboxContainer; readonly why: string }>;
}

/**
 * Removes what is left: orphaned transient containers and kept containers no bridge is using. A kept
 * copy-mode container may hold work not yet synced back: it stays unless `force`. `labels` narrows it
 * (one workspace's containers).
 */
export async function pruneSandboxes(docker: Docker, force = false, labels: Readonly<Record<string, string>> = {}): Promise<PruneResult> {
  const removed: SandboxContainer[] = [];
  const kept: Array<{ container: SandboxContainer; why: string }> = [];
  for (const container of await listSandboxContainers(docker, labels)) {
    if (container.persist === "transient" && container.ownerAlive !== false) {
      kept.push({ container, why: container.ownerAlive ? "its bridge is running" : "its bridge ran on another host" });
      continue;
    }
    if (container.persist === "reuse" && (await inUse(docker, container.id))) {
      kept.push({ container, why: "a bridge is using it" });
      continue;
    }
    if (container.persist === "reuse" && container.copy && !force) {
      kept.push({ container, why: `it holds a copy of the workspace; run \`acp-sandbox sync -w ${container.workspace}\` first, or prune --force` });
      continue;
    }
    await removeContainer(docker, container.id);
    removed.push(container);
  }
  return { removed, kept };
}
