// Turns parsed flags (and, later, the config file) into one validated configuration, once, at the edge.
import { realpathSync, statSync } from "node:fs";
import path from "node:path";
import { UsageError } from "../errors.js";
import { loadConfigFiles } from "./file.js";
import type { OptionValues } from "../cli/parse.js";
import type { LogLevel } from "../log/logger.js";
import { secretValues } from "../sandbox/env.js";
import { resolveSandboxSettings, type SandboxSettings } from "../sandbox/options.js";
import type { SandboxChoice, SandboxSpec } from "../sandbox/types.js";
import { resolveToolHostConfig, type ToolHostConfig } from "../../toolhost/config.js";
import { resolveSyncConfig, type SyncConfig } from "../sync/config.js";
import { type CheckpointConfig, resolveCheckpointConfig } from "../checkpoints/config.js";

export interface SessionConfig {
  readonly workspace: string;
  readonly sandbox: SandboxChoice;
  readonly logLevel: LogLevel;
  readonly trace: string | undefined;
  readonly graceMs: number;
  readonly maxLineBytes: number;
  readonly agent: readonly string[];
  /** Secret values of the bridge's environment, redacted from traces. */
  readonly secrets: readonly string[];
  /** The sandbox description for the chosen backend (the env is rebuilt from the allowlist). */
  readonly sandboxSpec: SandboxSpec;
  /** Everything the sandbox needs beyond its spec: provider options, --require-isolation, notices. */
  readonly sandboxSettings: SandboxSettings;
  /** The permission policy, limits and granted directories (flags, the user's config file, the workspace's). */
  readonly toolhost: ToolHostConfig;
  /** Copy mode: how the workspace reaches the sandbox, when changes travel back, what stays out. */
  readonly sync: SyncConfig;
  /** Per-turn checkpoints: on or off, and how many / how many bytes a workspace keeps. */
  readonly checkpoints: CheckpointConfig;
}

export function resolveWorkspace(value: string | undefined, cwd: string): string {
  const dir = path.resolve(cwd, value ?? ".");
  let stat;
  try {
    stat = statSync(dir);
  } catch {
    throw new UsageError(`the workspace ${dir} does not exist`);
  }
  if (!stat.isDirectory()) throw new UsageError(`the workspace ${dir} is not a directory`);
  return realpathSync(dir);
}

function str(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === "string" ? value : undefined;
}

export function resolveLogLevel(values: OptionValues): LogLevel {
  return (str(values, "log-level") ?? "info") as LogLevel;
}

export async function resolveSessionConfig(values: OptionValues, agent: readonly string[], env: NodeJS.ProcessEnv, cwd: string): Promise<SessionConfig> {
  if (agent.length === 0 || agent[0] === "") {
    throw new UsageError("no agent command; put it after --, for example: acp-sandbox -- claude-agent-acp");
  }
  const workspace = resolveWorkspace(str(values, "workspace"), cwd);
  const maxLineBytes = Number(str(values, "max-message-bytes") ?? 64 * 1024 * 1024);
  if (maxLineBytes < 1024) throw new UsageError(`Expected --max-message-bytes to be at least 1024, got \`${maxLineBytes}\``);
  const trace = str(values, "trace");
  const files = await loadConfigFiles(values, env, cwd, workspace);
  const policy = resolveToolHostConfig(values, env, workspace, files);
  const sandboxSettings = resolveSandboxSettings({
    values,
    agent,
    env,
    cwd,
    workspace,
    directories: policy.directories.map((d) => ({ hostPath: d.path, runtimePath: d.path, writable: d.writable })),
    section: files.user?.sandbox,
  });
  // Directories granted with --ro/--rw are served by the ToolHost too.
  const toolhost = { ...policy, directories: [...policy.directories, ...sandboxSettings.granted.map((d) => ({ path: d.hostPath, writable: d.writable }))] };
  const sync = resolveSyncConfig(values, env, (str(values, "sandbox") ?? "auto") as SandboxChoice, files.user?.sync);
  return {
    workspace,
    sandbox: sync.sandbox,
    sync,
    checkpoints: resolveCheckpointConfig(values, env, files.user?.checkpoints),
    logLevel: resolveLogLevel(values),
    trace: trace === undefined ? undefined : path.resolve(cwd, trace),
    graceMs: Number(str(values, "grace") ?? 2000),
    maxLineBytes,
    agent,
    secrets: [...secretValues(env), ...sandboxSettings.secrets],
    toolhost,
    sandboxSpec: sandboxSettings.spec,
    sandboxSettings,
  };
}
