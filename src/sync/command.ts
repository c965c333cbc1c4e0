// `acp-sandbox sync`: bring a kept copy-mode sandbox's changes back to the workspace, e.g. after a crash.
import { loadUserConfig } from "../config/file.js";
import { resolveWorkspace } from "../config/resolve.js";
import { SyncError } from "../errors.js";
import type { Logger } from "../log/logger.js";
import { dockerClient, daemonAddress, dockerErrorMessage } from "../sandbox/docker/client.js";
import { defaultStateDir } from "./baseline.js";
import { keptCopies, syncBack } from "./docker/recover.js";

type Values = Readonly<Record<string, string | boolean | string[] | undefined>>;

/** Exit status 0 when every kept copy was synced back (conflicts are reported, not failures). */
export async function runSyncCommand(values: Values, log: Logger, env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Promise<number> {
  const workspace = resolveWorkspace(typeof values["workspace"] === "string" ? values["workspace"] : undefined, cwd);
  const flags = values["sync-exclude"];
  const excludes = [...((await loadUserConfig(values, env, cwd)).config?.sync?.exclude ?? []), ...(Array.isArray(flags) ? flags : typeof flags === "string" ? [flags] : [])];
  const docker = dockerClient();
  try {
    await docker.ping();
  } catch (error) {
    throw new SyncError(`no Docker daemon answers at ${daemonAddress(env)} (${dockerErrorMessage(error)}); the kept copy lives there`);
  }
  const copies = await keptCopies(docker, workspace);
  if (copies.length === 0) {
    throw new SyncError(`no kept copy-mode container for ${workspace}; one is kept when a session runs with --mount copy --persist reuse`);
  }
  let conflicts = 0;
  for (const copy of copies) {
    log.info(`sync: bringing back the changes in ${copy.name}`);
    const report = await syncBack(docker, copy, { workspace, stateDir: defaultStateDir(env), excludes, log });
    conflicts += report.conflicts.length;
  }
  if (conflicts > 0) log.warn(`sync: ${conflicts} conflict(s); each runtime version is kept beside the host file it conflicts with`);
  return 0;
}
