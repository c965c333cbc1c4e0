// Resolves copy mode's settings once, at startup: flags over the user's configuration file over defaults.
import { UsageError } from "../errors.js";
import type { SandboxChoice } from "../sandbox/types.js";
import { defaultStateDir } from "./baseline.js";
import type { SyncSection } from "./config-schema.js";

/** bind and copy as asked; `auto`: bind, unless the Docker engine is remote, where only copy can work. */
export type MountMode = "bind" | "copy" | "auto";
export type SyncMoment = "none" | "session" | "turn";

export interface SyncConfig {
  readonly mount: MountMode;
  readonly when: SyncMoment;
  readonly excludes: readonly string[];
  /** Where baselines are kept (`$XDG_STATE_HOME/acp-sandbox`). */
  readonly stateDir: string;
  /** The sandbox choice, narrowed to docker when copy mode asks for it. */
  readonly sandbox: SandboxChoice;
}

type Values = Readonly<Record<string, string | boolean | string[] | undefined>>;

/** The DOCKER_HOST of an engine on another machine (tcp, ssh, http), else undefined. */
export function remoteDockerHost(env: NodeJS.ProcessEnv): string | undefined {
  const host = env["DOCKER_HOST"];
  return host && /^(tcp|ssh|https?):\/\//.test(host) ? host : undefined;
}

function list(values: Values, name: string): string[] {
  const value = values[name];
  return Array.isArray(value) ? value : typeof value === "string" ? [value] : [];
}

export function resolveSyncConfig(values: Values, env: NodeJS.ProcessEnv, sandbox: SandboxChoice, section: SyncSection | undefined): SyncConfig {
  const flagMount = values["mount"] as "bind" | "copy" | undefined;
  const mount: MountMode = flagMount ?? section?.mount ?? "auto";
  const remote = remoteDockerHost(env);
  if (mount === "copy" && (sandbox === "local" || sandbox === "bwrap")) {
    throw new UsageError(`--mount copy needs the docker sandbox (got --sandbox ${sandbox}); pass --sandbox docker`);
  }
  if (mount === "bind" && remote && sandbox === "docker") {
    throw new UsageError(`--mount bind cannot work with the remote Docker engine at ${remote}: a bind mount reaches only that machine's disk; use --mount copy`);
  }
  if (mount === "bind" && values["sync"] !== undefined) {
    throw new UsageError(`--sync ${String(values["sync"])} applies to copy mode; with --mount bind the agent edits the workspace itself and nothing needs syncing`);
  }
  const when = (values["sync"] as SyncMoment | undefined) ?? section?.sync ?? "session";
  return {
    mount,
    when,
    excludes: [...(section?.exclude ?? []), ...list(values, "sync-exclude")],
    stateDir: defaultStateDir(env),
    sandbox: mount === "copy" && sandbox === "auto" ? "docker" : sandbox,
  };
}
