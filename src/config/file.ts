// Loads a configuration file: ok, missing, empty, unreadable or invalid; invalid files are refused, never defaulted.
// The schemas (zod) are loaded only when there is a file to check: most runs have none, and loading them
// costs a noticeable part of the bridge's start.
import { readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { z } from "zod";
import { ConfigError } from "../errors.js";
import type { ConfigFile } from "./schema.js";

export type { ConfigFile } from "./schema.js";

/** The workspace's own configuration file: untrusted, it may only narrow. */
export const WORKSPACE_CONFIG = ".acp-sandbox.json";

export type ConfigLoad =
  | { readonly kind: "ok"; readonly file: string; readonly config: ConfigFile }
  | { readonly kind: "missing"; readonly file: string }
  | { readonly kind: "empty"; readonly file: string }
  | { readonly kind: "unreadable"; readonly file: string; readonly reason: string }
  | { readonly kind: "invalid"; readonly file: string; readonly problems: readonly string[] };

/** `$XDG_CONFIG_HOME/acp-sandbox/config.json`, else `~/.config/acp-sandbox/config.json`. */
export function userConfigPath(env: NodeJS.ProcessEnv): string {
  const xdg = env["XDG_CONFIG_HOME"];
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(env["HOME"] ?? os.homedir(), ".config");
  return path.join(base, "acp-sandbox", "config.json");
}

/** `policy.deny[2].op` */
export function keyPath(parts: readonly PropertyKey[]): string {
  let out = "";
  for (const part of parts) out += typeof part === "number" ? `[${part}]` : `${out ? "." : ""}${String(part)}`;
  return out;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => `${keyPath([...issue.path, key])}: unknown key`).join("; ");
  }
  return `${issue.path.length ? keyPath(issue.path) : "(top level)"}: ${issue.message}`;
}

export async function loadConfigFile(file: string): Promise<ConfigLoad> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { kind: "missing", file };
    return { kind: "unreadable", file, reason: code ?? String(error) };
  }
  if (text.trim() === "") return { kind: "empty", file };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { kind: "invalid", file, problems: [`not valid JSON: ${(error as Error).message}`] };
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    return { kind: "invalid", file, problems: ["(top level): expected a JSON object"] };
  }
  const { configSchema } = await import("./schema.js");
  const parsed = configSchema.safeParse(json);
  if (!parsed.success) return { kind: "invalid", file, problems: parsed.error.issues.map(describeIssue) };
  return { kind: "ok", file, config: parsed.data };
}

/**
 * The configuration, or undefined when there is none. Refuses an invalid or unreadable file, and a missing one
 * that was named explicitly (`--config FILE`), with a message naming the file and each offending key.
 */
export function requireConfig(load: ConfigLoad, explicit: boolean, shown: string = load.file): ConfigFile | undefined {
  switch (load.kind) {
    case "ok":
      return load.config;
    case "empty":
      return undefined;
    case "missing":
      if (explicit) throw new ConfigError(`the configuration file ${shown} does not exist`);
      return undefined;
    case "unreadable":
      throw new ConfigError(`cannot read the configuration file ${shown} (${load.reason})`);
    case "invalid":
      throw new ConfigError(`invalid configuration in ${shown}: ${load.problems.join("; ")}`);
  }
}

/** The configuration files a session consults, each read and validated once. */
export interface ConfigFiles {
  /** The user's file (`--config FILE`, else the XDG default): trusted. */
  readonly user: ConfigFile | undefined;
  readonly userFile: string;
  /** The workspace's `.acp-sandbox.json`: untrusted (it comes with the repository), it may only narrow. */
  readonly workspace: ConfigFile | undefined;
  readonly workspaceFile: string;
}

type Values = Readonly<Record<string, unknown>>;

/** The user's configuration (`--config FILE` relative to `cwd`, else the XDG default), refused when invalid. */
export async function loadUserConfig(values: Values, env: NodeJS.ProcessEnv, cwd: string): Promise<{ readonly file: string; readonly config: ConfigFile | undefined }> {
  const explicit = typeof values["config"] === "string" ? path.resolve(cwd, values["config"]) : undefined;
  const file = explicit ?? userConfigPath(env);
  const home = env["HOME"] ?? os.homedir();
  return { file, config: requireConfig(await loadConfigFile(file), explicit !== undefined, tildify(file, home)) };
}

/** The user's file and the workspace's, read once for every concern (policy, sandbox, sync). */
export async function loadConfigFiles(values: Values, env: NodeJS.ProcessEnv, cwd: string, workspace: string): Promise<ConfigFiles> {
  const workspaceFile = path.join(workspace, WORKSPACE_CONFIG);
  // Both read at once; the user's file is judged first, so its errors come first as before.
  const [user, theirsLoad] = await Promise.all([loadUserConfig(values, env, cwd), loadConfigFile(workspaceFile)]);
  const theirs = requireConfig(theirsLoad, false);
  return { user: user.config, userFile: user.file, workspace: theirs, workspaceFile };
}

/** `~/…` for paths under the home directory: how files are named in messages. */
export function tildify(file: string, home: string): string {
  return home && (file === home || file.startsWith(home + path.sep)) ? "~" + file.slice(home.length) : file;
}
