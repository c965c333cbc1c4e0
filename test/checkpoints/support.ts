// Test support for checkpoints: a byte-for-byte picture of a workspace, and the CLI run against a private state dir.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import path from "node:path";
import { BRIDGE } from "../support/bridge.js";

/** Every path under `root` (except `skip`), with its type, permission bits and content hash or link target. */
export function picture(root: string, skip: (rel: string) => boolean = () => false): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(path.join(root, dir)).sort()) {
      const rel = dir ? `${dir}/${name}` : name;
      if (skip(rel)) continue;
      const full = path.join(root, rel);
      const st = lstatSync(full);
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) out[rel] = `link -> ${readlinkSync(full)}`;
      else if (st.isDirectory()) {
        out[rel] = `dir ${mode}`;
        walk(rel);
      } else out[rel] = `file ${mode} ${createHash("sha256").update(readFileSync(full)).digest("hex")}`;
    }
  };
  walk("");
  return out;
}

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built CLI to completion. */
export function cli(args: readonly string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BRIDGE, ...args], { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The checkpoints the CLI lists, as JSON. */
export async function listed(ws: string, env: NodeJS.ProcessEnv): Promise<Array<{ id: number; kind: string; session: string; turn: number; title: string; changes: { added: number; modified: number; deleted: number } | null }>> {
  const run = await cli(["checkpoints", "-w", ws, "--json"], env);
  if (run.code !== 0) throw new Error(`checkpoints failed: ${run.stderr}`);
  return JSON.parse(run.stdout).checkpoints;
}
