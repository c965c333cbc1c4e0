// Test support for the real-agent suite: the installed adapters, acpx as the editor, fresh homes and workspaces.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { BRIDGE, ROOT, SAMPLE_WORKSPACE } from "../support/bridge.js";
import { cpSync } from "node:fs";

export const BIN = path.join(ROOT, "node_modules", ".bin");
export const CLAUDE = [path.join(BIN, "claude-agent-acp")];
export const CODEX = [path.join(BIN, "codex-acp")];
export const GEMINI = [path.join(BIN, "gemini"), "--acp"];
export const ACPX = path.join(ROOT, "node_modules", "acpx", "dist", "cli.js");

/** Whether the bridge offers `--network allow` (the allowlist with a host-side proxy), and `--allow-host`. */
export function networkAllowExists(): boolean {
  const help = spawnSync(process.execPath, [BRIDGE, "--help"], { encoding: "utf8" });
  return /--allow-host/.test(help.stdout + help.stderr);
}

/** The flags that let a sandbox reach the stand-in on 127.0.0.1:port: the allowlist where it exists, else bwrap's shared netns. */
export function networkFlags(backend: { docker: boolean }, port: number): string[] | undefined {
  if (networkAllowExists()) return ["--network", "allow", "--allow-host", `127.0.0.1:${port}`];
  // bwrap's `open` shares the host's network namespace, loopback included; a container's does not.
  return backend.docker ? undefined : ["--network", "open"];
}

export interface Scratch {
  readonly root: string;
  readonly workspace: string;
  /** The HOME the bridge runs with; it holds a marker file no sandbox may show. */
  readonly home: string;
  readonly marker: string;
  readonly state: string;
  cleanup(): void;
}

/** A fresh workspace (the sample one, with Claude's permission mode pinned to asking), HOME and XDG state dir. */
export function scratch(): Scratch {
  const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), "acp-sandbox-agents-")));
  const workspace = path.join(root, "ws");
  cpSync(SAMPLE_WORKSPACE, workspace, { recursive: true });
  // Without a default mode Claude Code starts in "auto", where a classifier model decides instead of the editor.
  mkdirSync(path.join(workspace, ".claude"));
  writeFileSync(path.join(workspace, ".claude", "settings.json"), JSON.stringify({ permissions: { defaultMode: "default" } }));
  const home = path.join(root, "home");
  mkdirSync(home);
  const marker = path.join(home, "host-home-marker");
  writeFileSync(marker, "the host's HOME\n");
  const state = path.join(root, "state");
  return { root, workspace, home, marker, state, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** The bridge's environment: nothing of ours but PATH, the scratch HOME and state, and what is given. */
export function bridgeEnv(s: Scratch, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: s.home, XDG_STATE_HOME: s.state, LANG: "C.UTF-8", ...extra };
}

/** acpx's JSON output lines and exit code for one `exec` of `prompt` against `agentCommand`. */
export async function acpxExec(agentCommand: readonly string[], cwd: string, prompt: string, env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<{ code: number | null; lines: any[]; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [ACPX, "--agent", agentCommand.join(" "), "--cwd", cwd, "--approve-all", "--format", "json", "--timeout", String(Math.floor(timeoutMs / 1000)), "exec", prompt], {
      cwd,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs + 10_000);
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    child.on("close", (code) => {
      clearTimeout(timer);
      const lines = stdout
        .split("\n")
        .filter(Boolean)
        .flatMap((l) => {
          try {
            return [JSON.parse(l)];
          } catch {
            return [];
          }
        });
      resolve({ code, lines, stderr });
    });
  });
}

/** The bridge's command line for a backend and agent. */
export function bridgeCommand(flags: readonly string[], workspace: string, agent: readonly string[]): string[] {
  return [process.execPath, BRIDGE, ...flags, "--workspace", workspace, "--", ...agent];
}

/**
 * Speaks ACP to a process over pipes, one request at a time: `initialize`, then each of `requests`;
 * returns the responses in order (results or errors, as they came). The process is ended afterwards.
 */
export async function acpExchange(command: readonly string[], requests: ReadonlyArray<{ method: string; params: unknown }>, options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<any[]> {
  // A process group of its own: the agent's helpers go down with it.
  const child = spawn(command[0]!, command.slice(1), { cwd: options.cwd, env: options.env, stdio: ["pipe", "pipe", "pipe"], detached: true });
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // gone
    }
  };
  child.stdin.on("error", () => {});
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  const waiting = new Map<number, (m: any) => void>();
  let buffered = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) {
      let message: any;
      try {
        message = JSON.parse(line);
      } catch {
        continue;
      }
      if (message.id !== undefined && !message.method) waiting.get(message.id)?.(message);
    }
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const all = [{ method: "initialize", params: { protocolVersion: 1, clientCapabilities: { fs: { readTextFile: false, writeTextFile: false }, terminal: false } } }, ...requests];
  const responses: any[] = [];
  try {
    for (const [id, request] of all.entries()) {
      const response = await new Promise<any>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no answer to ${request.method} within 60 s; stderr: ${stderr.slice(-2000)}`)), 60_000);
        waiting.set(id, (m) => {
          clearTimeout(timer);
          resolve(m);
        });
        child.stdin.write(JSON.stringify({ jsonrpc: "2.0", id, method: request.method, params: request.params }) + "\n");
      });
      responses.push(response);
    }
  } finally {
    // End of input ends the session; codex-acp does not exit on it, so it gets SIGTERM after a moment (the
    // bridge stops on it as on EOF). SIGKILL only much later: a bridge killed while removing its container
    // would leave the container to another test's bridge.
    child.stdin.end();
    const term = setTimeout(() => signal("SIGTERM"), 3_000);
    const kill = setTimeout(() => signal("SIGKILL"), 60_000);
    await exited;
    clearTimeout(term);
    clearTimeout(kill);
  }
  return responses;
}
