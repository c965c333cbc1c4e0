// `acp-sandbox sync`: finds a kept copy-mode container for the workspace and brings its changes back.
import type Docker from "dockerode";
import { SyncError } from "../../errors.js";
import { dockerErrorMessage } from "../../sandbox/docker/client.js";
import { LABEL, labelFilters } from "../../sandbox/docker/labels.js";
import { BaselineStore } from "../baseline.js";
import { WorkspaceSync } from "../engine.js";
import type { SyncLog } from "../report.js";
import type { SyncReport } from "../types.js";
import { DockerSyncRuntime } from "./runtime.js";

export interface KeptCopy {
  readonly id: string;
  readonly name: string;
  readonly running: boolean;
  /** Paused while no bridge uses it (a paused container counts as running). */
  readonly paused?: boolean;
  /** `uid:gid` the container runs as. */
  readonly user: string;
}

/** Kept (`--persist reuse`) containers of `workspace` whose workspace is a copy (a volume), not a bind mount. */
export async function keptCopies(docker: Docker, workspace: string): Promise<KeptCopy[]> {
  const found = await docker.listContainers({ all: true, filters: labelFilters({ [LABEL.workspace]: workspace, [LABEL.persist]: "reuse" }) });
  const copies: KeptCopy[] = [];
  for (const summary of found) {
    const info = await docker.getContainer(summary.Id).inspect();
    if (!info.Mounts.some((m) => m.Type === "volume" && m.Destination === workspace)) continue;
    copies.push({ id: info.Id, name: info.Name.replace(/^\//, ""), running: info.State.Running, paused: info.State.Paused, user: info.Config.User || "0:0" });
  }
  return copies;
}

export interface RecoverOptions {
  readonly workspace: string;
  readonly stateDir: string;
  readonly excludes: readonly string[];
  readonly log: SyncLog;
  readonly signal?: AbortSignal;
}

/** Brings a kept copy's changes back to the host (starting the container if it was stopped), conflicts handled as ever. */
export async function syncBack(docker: Docker, copy: KeptCopy, options: RecoverOptions): Promise<SyncReport> {
  const container = docker.getContainer(copy.id);
  if (!copy.running) {
    options.log.info(`sync: starting the kept container ${copy.name} to read its copy`);
    try {
      await container.start();
    } catch (error) {
      throw new SyncError(`cannot start the kept container ${copy.name}: ${dockerErrorMessage(error)}`, { cause: error });
    }
  }
  // Paused while no bridge uses it: resumed to read the copy, paused again afterwards.
  if (copy.paused) await container.unpause();
  try {
    return await syncBackRunning(container, copy, options);
  } finally {
    if (copy.paused) await container.pause().catch(() => {});
  }
}

async function syncBackRunning(container: Docker.Container, copy: KeptCopy, options: RecoverOptions): Promise<SyncReport> {
  const [uid, gid] = copy.user.split(":").map(Number);
  const runtime = new DockerSyncRuntime({ container, root: options.workspace, user: copy.user });
  const engine = new WorkspaceSync({
    workspace: options.workspace,
    runtime,
    store: new BaselineStore(options.stateDir, options.workspace, runtime.id),
    log: options.log,
    owner: { uid: uid ?? 0, gid: gid ?? uid ?? 0 },
    excludes: options.excludes,
  });
  return engine.toHost(options.signal);
}
