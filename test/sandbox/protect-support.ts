// Test support for the protected-path suites: a workspace with repositories to attack, and the host's truth afterwards.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { ROOT } from "../support/bridge.js";
import { BridgeProcess, type Message } from "../support/bridge.js";

export const HOSTILE_AGENT = [process.execPath, path.join(ROOT, "dist", "fixtures", "agent", "hostile-agent.js")];

/** Every attack class the hostile agent knows. */
export const CLASSES = ["hook", "fsmonitor", "hookspath", "swap-hooks", "swap-git", "create-hooks", "commondir", "gitfile", "info", "bare", "nested", "editor"] as const;

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", ["-C", cwd, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** `git config --get-all KEY` run on the host in `dir`: the values, none when unset. */
export function hostGitConfig(dir: string, key: string): string[] {
  const r = spawnSync("git", ["-C", dir, "config", "--get-all", key], { encoding: "utf8" });
  return r.stdout.split("\n").filter(Boolean);
}

export interface Repos {
  readonly config: string;
  readonly head: string;
  readonly hooks: string[];
}

/**
 * A git repository at the workspace root (hooks from git's templates) and one in `lib/` without a hooks
 * directory (the attack that creates one). Returns what the host must still hold afterwards.
 */
export function prepareRepos(workspace: string): Repos {
  git(workspace, "init", "-q", "-b", "main");
  mkdirSync(path.join(workspace, "lib"), { recursive: true });
  git(path.join(workspace, "lib"), "init", "-q", "-b", "main");
  rmSync(path.join(workspace, "lib", ".git", "hooks"), { recursive: true, force: true });
  return {
    config: readFileSync(path.join(workspace, ".git", "config"), "utf8"),
    head: readFileSync(path.join(workspace, ".git", "HEAD"), "utf8"),
    hooks: readdirSync(path.join(workspace, ".git", "hooks")).sort(),
  };
}

/** Files named PWNED-* anywhere in the workspace (a planted command that ran would leave one). */
export function pwned(workspace: string): string[] {
  return readdirSync(workspace, { recursive: true, encoding: "utf8" }).filter((p) => path.basename(p).startsWith("PWNED-"));
}

export function kind(p: string): "file" | "dir" | "symlink" | undefined {
  try {
    const st = lstatSync(p);
    return st.isSymbolicLink() ? "symlink" : st.isDirectory() ? "dir" : "file";
  } catch {
    return undefined;
  }
}

/** What the hostile agent reported for each try, per attack class (from its own process or a terminal). */
export function attackResults(messages: readonly Message[]): Array<Record<string, string[]>> {
  return messages
    .filter((m) => m["method"] === "session/update" && m["params"]?.update?.sessionUpdate === "agent_message_chunk")
    .map((m) => String(m["params"].update.content.text))
    .filter((t) => t.startsWith("ATTACKS "))
    .map((t) => JSON.parse(t.slice("ATTACKS ".length).trim()) as Record<string, string[]> | string)
    .map((r) => (typeof r === "string" ? (JSON.parse(r) as Record<string, string[]>) : r));
}

/** The quarantine messages the editor was sent. */
export function quarantineNotes(messages: readonly Message[]): string[] {
  return messages
    .filter((m) => m["method"] === "session/update" && m["params"]?.update?.sessionUpdate === "agent_message_chunk")
    .map((m) => String(m["params"].update.content.text))
    .filter((t) => t.includes("[acp-sandbox] quarantined"));
}

/** Files under `dir`, relative (none when it does not exist). */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((p) => kind(path.join(dir, p)) !== "dir");
}

/** One bridge session of the hostile agent: each round tries `attacks` from its own process or a terminal, then the bridge is closed. */
export async function hostileSession(
  flags: readonly string[],
  workspace: string,
  env: NodeJS.ProcessEnv,
  rounds: ReadonlyArray<{ attacks: readonly string[]; via: "self" | "terminal"; waitGone?: readonly string[] }>,
): Promise<BridgeProcess> {
  const bridge = BridgeProcess.start(HOSTILE_AGENT, [...flags, "--workspace", workspace, "--allow", "terminal", "--log-level", "debug"], { env });
  try {
    // Generous waits: a container (and a copy) starting on a loaded machine can take a while.
    bridge.send({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: 1, clientCapabilities: {}, clientInfo: { name: "test", version: "1" } } });
    await bridge.waitFor((m) => m["id"] === 1 && !("method" in m), 90_000);
    bridge.send({ jsonrpc: "2.0", id: 2, method: "session/new", params: { cwd: workspace, mcpServers: [] } });
    const created = await bridge.waitFor((m) => m["id"] === 2 && !("method" in m), 60_000);
    const session = created["result"]?.sessionId as string;
    if (!session) throw new Error(`session/new failed: ${JSON.stringify(created)}; stderr: ${bridge.stderr.slice(-2000)}`);
    for (const round of rounds) {
      const answer = await bridge.prompt(session, JSON.stringify(round), 60_000);
      if (answer["result"]?.stopReason !== "end_turn") throw new Error(`the turn failed: ${JSON.stringify(answer)}; stderr: ${bridge.stderr.slice(-2000)}`);
    }
    await bridge.close(60_000);
  } finally {
    if (bridge.child.exitCode === null && bridge.child.signalCode === null) {
      bridge.kill("SIGKILL");
      await bridge.waitExit().catch(() => {});
    }
  }
  return bridge;
}

/** Empty directories under `root` (relative, sorted), `.git` internals of the repositories the test made left out. */
export function emptyDirs(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: "utf8" })
    .filter((p) => !/(^|\/)\.git\/(objects|refs|branches)(\/|$)/.test(p))
    .filter((p) => kind(path.join(root, p)) === "dir" && readdirSync(path.join(root, p)).length === 0)
    .sort();
}
