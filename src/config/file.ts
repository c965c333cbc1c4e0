// Loads a configuration file: ok, missing, empty, unreadable or invalid; invalid files are refused, never defaulted.
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { z } from "zod";
import { ConfigError } from "../errors.js";
import { configSchema, type ConfigFile } from "./schema.js";

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

export function loadConfigFile(file: string): ConfigLoad {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
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
