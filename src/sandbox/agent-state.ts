// Each agent's own state (history, login), kept by the bridge and shown inside the sandbox as the agent's config dir.
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { UsageError } from "../errors.js";
import type { AgentPreset } from "./presets.js";
import type { SandboxSpec } from "./types.js";

/** Codex's own sandbox cannot nest inside ours (bwrap in bwrap, bwrap in a container): ours is the boundary. */
const CODEX_CONFIG = `# Written by acp-sandbox: codex runs inside acp-sandbox's sandbox, which is the boundary;
# codex's own sandbox (bubblewrap) cannot nest inside it. Edit or remove as you like.
sandbox_mode = "danger-full-access"
`;

/** Where each agent keeps its state under HOME, the variable that points it elsewhere, and a file it starts with. */
const LAYOUT: Readonly<Record<string, { readonly dir: string; readonly env?: string; readonly seed?: { readonly file: string; readonly content: string } }>> = {
  claude: { dir: ".claude", env: "CLAUDE_CONFIG_DIR" },
  codex: { dir: ".codex", env: "CODEX_HOME", seed: { file: "config.toml", content: CODEX_CONFIG } },
  gemini: { dir: ".gemini" },
};

export interface AgentState {
  readonly agent: string;
  /** The directory on the host, kept across sessions. */
  readonly hostPath: string;
  /** The agent's config dir inside, relative to the sandbox's HOME (`.claude`). */
  readonly homeDir: string;
  /** The variable set to the runtime path (CLAUDE_CONFIG_DIR, so that ~/.claude.json lands in it too). */
  readonly envName?: string | undefined;
  /** A file written when the directory has none yet (codex's config with its own sandbox off). */
  readonly seed?: { readonly file: string; readonly content: string } | undefined;
}

/** `$XDG_STATE_HOME/acp-sandbox/agents`, else `~/.local/state/acp-sandbox/agents`. */
export function agentStateRoot(env: NodeJS.ProcessEnv = process.env): string {
  const base = env["XDG_STATE_HOME"] || path.join(env["HOME"] || os.homedir(), ".local", "state");
  return path.join(base, "acp-sandbox", "agents");
}

/**
 * The state directory for the preset's agent: `--agent-state DIR` names one, `none` keeps none (a fresh
 * HOME each session), and by default each agent has its own under agentStateRoot(). No preset, no state.
 */
export function planAgentState(preset: AgentPreset | undefined, choice: string | undefined, env: NodeJS.ProcessEnv, cwd: string): AgentState | undefined {
  if (choice === "none" || !preset) return undefined;
  const layout = LAYOUT[preset.name];
  if (!layout) return undefined;
  if (choice !== undefined && choice.trim() === "") throw new UsageError("Expected --agent-state to be a directory or `none`, got an empty value");
  const hostPath = choice === undefined ? path.join(agentStateRoot(env), preset.name) : path.resolve(cwd, choice);
  if (hostPath === "/" || hostPath === path.resolve(env["HOME"] || os.homedir())) {
    throw new UsageError(`--agent-state ${choice} would give the agent your whole ${hostPath === "/" ? "filesystem" : "home directory"}; name a directory of its own`);
  }
  return { agent: preset.name, hostPath, homeDir: layout.dir, envName: layout.env, seed: layout.seed };
}

/** The spec with the state directory mounted read-write at `<HOME inside>/<dir>` (created on first use). */
export function withAgentState(spec: SandboxSpec, state: AgentState, home: string): SandboxSpec {
  mkdirSync(state.hostPath, { recursive: true, mode: 0o700 });
  if (state.seed && !existsSync(path.join(state.hostPath, state.seed.file))) {
    writeFileSync(path.join(state.hostPath, state.seed.file), state.seed.content, { mode: 0o600, flag: "wx" });
  }
  const runtimePath = path.posix.join(home, state.homeDir);
  return {
    ...spec,
    extraDirectories: [...spec.extraDirectories.filter((d) => d.runtimePath !== runtimePath), { hostPath: state.hostPath, runtimePath, writable: true }],
    env: { ...spec.env, ...(state.envName ? { [state.envName]: runtimePath } : {}) },
  };
}

/** The state directories kept so far, one per agent, with their size on disk. */
export function listAgentStates(env: NodeJS.ProcessEnv = process.env): Array<{ agent: string; path: string; bytes: number }> {
  const root = agentStateRoot(env);
  let names: string[];
  try {
    names = readdirSync(root).sort();
  } catch {
    return [];
  }
  return names.map((agent) => ({ agent, path: path.join(root, agent), bytes: treeSize(path.join(root, agent)) }));
}

function treeSize(dir: string, depth = 0): number {
  if (depth > 12) return 0;
  let total = 0;
  let entries: import("node:fs").Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) total += treeSize(file, depth + 1);
    else if (entry.isFile()) {
      try {
        total += statSync(file).size;
      } catch {
        // removed meanwhile
      }
    }
  }
  return total;
}

/** Removes every agent's state (history, logins); returns what was removed. */
export function removeAgentStates(env: NodeJS.ProcessEnv = process.env): string[] {
  const states = listAgentStates(env);
  for (const state of states) rmSync(state.path, { recursive: true, force: true });
  return states.map((s) => s.path);
}
