// Resolves the sandbox's settings once, at the edge: flags over the user's config file over defaults.
import { realpathSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { UsageError } from "../errors.js";
import { planAgentMounts, type AgentPlan } from "./agent-mounts.js";
import { planAgentState, type AgentState } from "./agent-state.js";
import type { SandboxSection } from "./config-schema.js";
import { buildEnv, DEFAULT_ALLOW, DEFAULT_DENY, matchesAny } from "./env.js";
import type { NetworkPlan } from "../network/service.js";
import { type NetworkSection, resolveNetwork } from "../network/options.js";
import { choosePreset } from "./presets.js";
import { parseSize } from "./size.js";
import type { ExtraDirectory, NetworkPolicy, ResourceLimits, SandboxSpec } from "./types.js";

type Values = Readonly<Record<string, string | boolean | string[] | undefined>>;

export const DEFAULT_LIMITS: Required<Pick<ResourceLimits, "pids" | "memoryBytes" | "tmpBytes">> = { pids: 1024, memoryBytes: 4 * 1024 ** 3, tmpBytes: 1024 ** 3 };
/**
 * gVisor counts its own host threads against the pids limit: about 45 for an idle sandbox and about 7.5
 * per thread inside (runsc's ptrace platform: node plus 300 processes took ~2,400). 4096 fits a Node
 * agent with a few hundred processes; the default host pid_max is 32768, so more would crowd the host.
 */
export const RUNSC_DEFAULT_PIDS = 4096;

export interface SandboxSettings {
  readonly spec: SandboxSpec;
  readonly requireIsolation: boolean;
  /** For the registry: image, runtime, persist, the agent's plan, why each directory is mounted. */
  readonly providerOptions: Readonly<Record<string, unknown>>;
  /** Values passed by name: redacted from traces like the blocklisted ones. */
  readonly secrets: readonly string[];
  /** Directories granted with --ro/--rw (the ToolHost may serve them too). */
  readonly granted: readonly ExtraDirectory[];
  /** Said on stderr when the sandbox starts (the preset, a variable not set). */
  readonly notices: readonly string[];
  /** With `--network allow`: the rules and the gateway the host side serves. */
  readonly network?: NetworkPlan | undefined;
  /** Whether the network mode was asked for rather than defaulted (an unenforceable one is then refused). */
  readonly networkExplicit?: boolean;
  /** The spec to use where the network cannot be enforced (local) and `allow` was only the default. */
  readonly unenforcedSpec?: SandboxSpec | undefined;
  /** Said to the editor at session start. */
  readonly editorNotices?: readonly string[];
  /** Said only when the sandbox isolates (bwrap, docker): what isolation takes away, like the network. */
  readonly isolatedNotices: readonly string[];
  /** The agent's own state directory, mounted as its config dir by the isolating backends. */
  readonly agentState?: AgentState | undefined;
  /** Fixed values the preset sets inside an isolating sandbox (TMPDIR, SHELL, the agent's own sandbox off). */
  readonly presetEnv: Readonly<Record<string, string>>;
}

export interface SandboxInput {
  readonly values: Values;
  readonly agent: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly workspace: string;
  /** Directories granted elsewhere (the policy's), mounted as granted. */
  readonly directories?: readonly ExtraDirectory[];
  /** The user's configuration file's `sandbox` section. */
  readonly section?: SandboxSection | undefined;
}

function list(values: Values, name: string): string[] {
  const value = values[name];
  return Array.isArray(value) ? value : typeof value === "string" ? [value] : [];
}

function text(values: Values, name: string): string | undefined {
  const value = values[name];
  return typeof value === "string" ? value : undefined;
}

export function parseLimits(values: Values, section: SandboxSection | undefined): ResourceLimits {
  const memory = text(values, "memory") ?? section?.limits?.memory;
  const tmp = text(values, "tmp-size") ?? section?.limits?.tmpSize;
  const runsc = (text(values, "docker-runtime") ?? section?.docker?.runtime) === "runsc";
  const pidsText = text(values, "pids");
  const pids = pidsText !== undefined ? Number(pidsText) : (section?.limits?.pids ?? (runsc ? RUNSC_DEFAULT_PIDS : DEFAULT_LIMITS.pids));
  if (pids < 32) throw new UsageError(`Expected --pids to be at least 32, got \`${pids}\``);
  const cpusText = text(values, "cpus");
  const cpus = cpusText !== undefined ? Number(cpusText) : section?.limits?.cpus;
  if (cpus !== undefined && !(Number.isFinite(cpus) && cpus > 0)) throw new UsageError(`Expected --cpus to be a positive number like 1.5, got \`${cpusText}\``);
  return {
    pids,
    memoryBytes: memory === undefined ? DEFAULT_LIMITS.memoryBytes : parseSize(memory, "--memory"),
    tmpBytes: tmp === undefined ? DEFAULT_LIMITS.tmpBytes : parseSize(tmp, "--tmp-size", 1024 ** 2),
    ...(cpus !== undefined ? { cpus } : {}),
  };
}

function grantedDirectories(values: Values, cwd: string): ExtraDirectory[] {
  const out: ExtraDirectory[] = [];
  for (const [flag, writable] of [["ro", false], ["rw", true]] as const) {
    for (const dir of list(values, flag)) {
      let real: string;
      try {
        real = realpathSync(path.resolve(cwd, dir));
        if (!statSync(real).isDirectory()) throw new Error("not a directory");
      } catch {
        throw new UsageError(`Expected --${flag} to name an existing directory, got \`${dir}\``);
      }
      if (real === "/") throw new UsageError(`--${flag} / would show the whole host; name a narrower directory`);
      out.push({ hostPath: real, runtimePath: real, writable });
    }
  }
  return out;
}

function checkNames(names: readonly string[], flag: string): void {
  for (const name of names) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new UsageError(`Expected ${flag} to be a variable name like MY_API_TOKEN, got \`${name}\``);
  }
}

/** The sandbox's environment policy and what it passes, from flags, the config file and the preset. */
function environment(input: SandboxInput, notices: string[]): { env: Record<string, string>; passed: string[] } {
  const { values, env, section, agent } = input;
  const allow = [...DEFAULT_ALLOW, "HOME", ...(section?.env?.allow ?? []), ...list(values, "allow-env")];
  for (const glob of list(values, "allow-env")) {
    if (glob.replace(/\*/g, "") === "") throw new UsageError("--allow-env '*' is not allowed: it would copy every secret; name the variables");
  }
  const deny = [...DEFAULT_DENY, ...(section?.env?.deny ?? [])];
  const preset = choosePreset(text(values, "preset") ?? section?.preset ?? "auto", agent);
  const explicit = [...(section?.env?.pass ?? []), ...list(values, "pass-env")];
  checkNames(explicit, "--pass-env");
  const pass = [...new Set([...(preset?.env ?? []), ...explicit])];
  for (const name of explicit) if (env[name] === undefined) notices.push(`--pass-env ${name}: not set in this environment; nothing to pass`);
  const userDeny = section?.env?.deny ?? [];
  const built = buildEnv(env, { allow, deny, pass: pass.filter((name) => !matchesAny(name, userDeny)), set: section?.env?.set ?? {} });
  const passed = pass.filter((name) => built[name] !== undefined);
  if (preset) {
    const presetPassed = preset.env.filter((name) => built[name] !== undefined);
    notices.push(`preset ${preset.name} (${preset.description}): ${presetPassed.length ? `passing ${presetPassed.join(", ")}` : `none of its variables is set (${preset.env.slice(0, 3).join(", ")}, ...)`}`);
  }
  return { env: built, passed };
}

export function resolveSandboxSettings(input: SandboxInput): SandboxSettings {
  const { values, env, section, workspace, cwd } = input;
  const notices: string[] = [];
  const isolatedNotices: string[] = [];
  const { env: sandboxEnv, passed } = environment(input, notices);
  const preset = choosePreset(text(values, "preset") ?? section?.preset ?? "auto", input.agent);
  const net = resolveNetwork({
    values,
    section: section?.network as NetworkSection | undefined,
    credentials: section?.credentials,
    preset,
    agent: input.agent,
    env,
    sandboxEnv,
  });
  // What the network cannot be told apart from on local (none there means nothing) is said only where a sandbox isolates.
  (net.mode === "none" ? isolatedNotices : notices).push(...net.notices);
  const network: NetworkPolicy = net.mode;
  const enforcedEnv: Record<string, string> = { ...sandboxEnv, ...net.env };
  for (const name of net.withheld) if (!(name in net.env)) delete enforcedEnv[name];
  const granted = grantedDirectories(values, cwd);
  const home = env["HOME"] ?? os.homedir();
  const plan: AgentPlan = planAgentMounts(input.agent, { path: env["PATH"], cwd, workspace, home, npmCache: env["npm_config_cache"] });
  const directories = [...(input.directories ?? []), ...granted];
  const agentDirs = plan.mounts
    .filter((m) => !directories.some((d) => d.hostPath === m.hostPath))
    .map((m): ExtraDirectory => ({ hostPath: m.hostPath, runtimePath: m.hostPath, writable: false }));
  const mountReasons = Object.fromEntries([...granted.map((d) => [d.hostPath, d.writable ? "--rw" : "--ro"]), ...plan.mounts.map((m) => [m.hostPath, m.reason])]);
  const docker = section?.docker;
  const spec: SandboxSpec = {
    workspace,
    runtimeRoot: workspace,
    extraDirectories: [...directories, ...agentDirs],
    env: enforcedEnv,
    network,
    limits: parseLimits(values, section),
    label: path.basename(workspace),
  };
  return {
    spec,
    network: net.plan,
    networkExplicit: net.explicit,
    unenforcedSpec: network === "allow" ? { ...spec, env: sandboxEnv, network: "open" } : undefined,
    editorNotices: net.editorNotice ? [net.editorNotice] : [],
    requireIsolation: values["require-isolation"] === true || section?.requireIsolation === true,
    providerOptions: {
      image: text(values, "image") ?? docker?.image,
      runtime: text(values, "docker-runtime") ?? docker?.runtime,
      persist: text(values, "persist") ?? docker?.persist ?? "transient",
      agent: plan,
      mountReasons,
    },
    secrets: passed.map((name) => env[name] ?? sandboxEnv[name] ?? "").filter((value) => value.length >= 6),
    granted,
    notices,
    isolatedNotices,
    agentState: planAgentState(preset, text(values, "agent-state"), env, cwd),
    presetEnv: preset?.set ?? {},
  };
}
