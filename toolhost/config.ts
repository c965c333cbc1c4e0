// Resolves the ToolHost's configuration once, at startup: flags, the user's config file, the workspace's (narrowing only).
import { createHash } from "node:crypto";
import { realpathSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type ConfigFiles, tildify } from "../src/config/file.js";
import { ConfigError, UsageError } from "../src/errors.js";
import type { AllowedRoot } from "./paths.js";
import { parseShortRule, type RuleSpec } from "../src/policy/rule-syntax.js";
import type { PolicySection } from "../src/policy/schema.js";
import type { Rule, RuleAction } from "../src/policy/rules.js";

export const DEFAULT_MAX_TERMINALS = 32;
export const DEFAULT_MAX_READ_BYTES = 16 * 1024 * 1024;
export const DEFAULT_TERMINAL_OUTPUT_BYTES = 4 * 1024 * 1024;

export interface ToolHostConfig {
  /** Real host path. */
  readonly workspace: string;
  readonly home: string;
  /** Flags, then the user's file, then the workspace's file. */
  readonly rules: readonly Rule[];
  /** Granted directories beyond the workspace (real host paths). */
  readonly directories: readonly AllowedRoot[];
  readonly maxTerminals: number;
  readonly maxReadBytes: number;
  /** Output kept per terminal when the agent sets no outputByteLimit (and the most it may set). */
  readonly terminalOutputBytes: number;
  /** With --remember: where always-answers persist for this workspace. */
  readonly rememberFile: string | undefined;
  /** Said on stderr at startup: what the workspace's file tried and was not allowed to do. */
  readonly notices: readonly string[];
}

type Values = Readonly<Record<string, string | boolean | string[] | undefined>>;
const ACTIONS: readonly RuleAction[] = ["allow", "ask", "deny"];

function list(values: Values, name: string): string[] {
  const value = values[name];
  return Array.isArray(value) ? value : typeof value === "string" ? [value] : [];
}

function toRule(spec: RuleSpec, action: RuleAction, origin: Rule["origin"]): Rule {
  return { action, ...spec, origin };
}

function sectionRules(section: PolicySection | undefined, kind: "config" | "workspace", file: string): Rule[] {
  return ACTIONS.flatMap((action) => (section?.[action] ?? []).map((spec, i) => toRule(spec, action, { kind, label: `${action}[${i}]`, file })));
}

function flagRules(values: Values): Rule[] {
  return ACTIONS.flatMap((action) =>
    list(values, action).map((text) => {
      const parsed = parseShortRule(text);
      if ("error" in parsed) throw new UsageError(`Expected --${action} to be a rule like write:src/** or terminal:npm test; ${parsed.error}`);
      return toRule(parsed.ok, action, { kind: "flag", label: `--${action} ${text}` });
    }),
  );
}

function grantedDirectories(section: PolicySection | undefined, file: string, home: string): AllowedRoot[] {
  return (section?.directories ?? []).map((entry, i) => {
    const key = `policy.directories[${i}].path`;
    const expanded = entry.path === "~" || entry.path.startsWith("~/") ? path.join(home, entry.path.slice(1)) : entry.path;
    if (!path.isAbsolute(expanded)) throw new ConfigError(`invalid configuration in ${tildify(file, home)}: ${key}: expected an absolute path or ~/…, got ${JSON.stringify(entry.path)}`);
    let real: string;
    try {
      real = realpathSync(expanded);
      if (!statSync(real).isDirectory()) throw new Error("not a directory");
    } catch {
      throw new ConfigError(`invalid configuration in ${tildify(file, home)}: ${key}: ${expanded} is not an existing directory`);
    }
    return { path: real, writable: entry.access === "write" };
  });
}

/** `$XDG_STATE_HOME/acp-sandbox/remembered/<hash of the workspace>.json`, else under ~/.local/state. */
export function rememberFilePath(env: NodeJS.ProcessEnv, workspace: string, home: string): string {
  const xdg = env["XDG_STATE_HOME"];
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(home, ".local", "state");
  const id = createHash("sha256").update(workspace).digest("hex").slice(0, 24);
  return path.join(base, "acp-sandbox", "remembered", `${id}.json`);
}

function positiveFlag(values: Values, name: string): number | undefined {
  const value = values[name];
  if (typeof value !== "string") return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`Expected --${name} to be a positive integer, got \`${value}\``);
  return n;
}

/** Only narrowing survives from the workspace's file: deny and ask rules, and lower limits. */
function narrowWorkspace(section: PolicySection | undefined, file: string, home: string): { rules: Rule[]; notices: string[] } {
  const notices: string[] = [];
  const shown = tildify(file, home);
  const count = (section?.allow ?? []).length;
  if (count > 0) notices.push(`${shown}: ignored policy.allow (${count} rule${count === 1 ? "" : "s"}): a workspace's configuration may only narrow the policy (deny, ask)`);
  if ((section?.directories ?? []).length > 0) notices.push(`${shown}: ignored policy.directories: a workspace's configuration cannot grant directories`);
  const rules = sectionRules(section, "workspace", file).filter((r) => r.action !== "allow");
  return { rules, notices };
}

function smallest(...values: Array<number | undefined>): number | undefined {
  const present = values.filter((v): v is number => v !== undefined);
  return present.length ? Math.min(...present) : undefined;
}

/** The ToolHost's configuration from flags and the configuration files (read by `loadConfigFiles`). */
export function resolveToolHostConfig(values: Values, env: NodeJS.ProcessEnv, workspace: string, files: ConfigFiles): ToolHostConfig {
  const home = env["HOME"] ?? os.homedir();
  const { userFile, workspaceFile } = files;
  const user = files.user?.policy;
  const theirs = files.workspace?.policy;
  const narrowed = narrowWorkspace(theirs, workspaceFile, home);
  return {
    workspace,
    home,
    rules: [...flagRules(values), ...sectionRules(user, "config", userFile), ...narrowed.rules],
    directories: grantedDirectories(user, userFile, home),
    maxTerminals: smallest(positiveFlag(values, "max-terminals") ?? user?.maxTerminals ?? DEFAULT_MAX_TERMINALS, theirs?.maxTerminals)!,
    maxReadBytes: smallest(user?.maxReadBytes ?? DEFAULT_MAX_READ_BYTES, theirs?.maxReadBytes)!,
    terminalOutputBytes: smallest(user?.terminalOutputBytes ?? DEFAULT_TERMINAL_OUTPUT_BYTES, theirs?.terminalOutputBytes)!,
    rememberFile: values["remember"] === true ? rememberFilePath(env, workspace, home) : undefined,
    notices: narrowed.notices,
  };
}
