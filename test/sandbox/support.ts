// Test support for the sandbox suites: which backends run here, the probe every backend is checked with, and helpers.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { probeBwrap } from "../../src/sandbox/bwrap/probe.js";
import { dockerClient } from "../../src/sandbox/docker/client.js";
import { probeDocker } from "../../src/sandbox/docker/probe.js";
import { processTable } from "../support/processes.js";

export interface Backend {
  /** Suite name: local, bwrap, docker, docker+runsc. */
  readonly name: string;
  /** The bridge's flags that select it. */
  readonly flags: readonly string[];
  /** Registry name and provider options for direct provider tests. */
  readonly provider: "local" | "bwrap" | "docker";
  readonly runtime?: string;
  /** Whether the backend promises isolation (local does not: its isolation cases are expected to fail). */
  readonly isolated: boolean;
  readonly docker: boolean;
  /** Why it cannot run here, or undefined. */
  readonly unavailable: string | undefined;
}

/** Every backend, probed once (a real bwrap run; the Docker daemon's info, runsc registered or not). */
export async function backends(): Promise<Backend[]> {
  const bwrap = await probeBwrap();
  const docker = await probeDocker(dockerClient(), undefined);
  const runsc = await probeDocker(dockerClient(), "runsc");
  const why = (p: { available: boolean; detail: string; fix?: string }) => (p.available ? undefined : `${p.detail}${p.fix ? ` (${p.fix})` : ""}`);
  return [
    { name: "local", flags: ["--sandbox", "local"], provider: "local", isolated: false, docker: false, unavailable: undefined },
    { name: "bwrap", flags: ["--sandbox", "bwrap"], provider: "bwrap", isolated: true, docker: false, unavailable: why(bwrap) },
    { name: "docker", flags: ["--sandbox", "docker"], provider: "docker", isolated: true, docker: true, unavailable: why(docker) },
    { name: "docker+runsc", flags: ["--sandbox", "docker", "--docker-runtime", "runsc"], provider: "docker", runtime: "runsc", isolated: true, docker: true, unavailable: why(runsc) },
  ];
}

/**
 * What a process inside sees: run as `node -e PROBE <port> <write-to> <paths to read...>`. Prints one
 * JSON line: its uid/gid, HOME and what is in it, whether MY_API_TOKEN reached it, each read's outcome,
 * and whether a TCP connection to the host's loopback port got through.
 */
export const PROBE = `
const fs = require("fs"), net = require("net");
const [port, writeTo, ...paths] = process.argv.slice(1);
const reads = {};
for (const p of paths) { try { fs.readFileSync(p); reads[p] = "read"; } catch (e) { reads[p] = e.code; } }
let wrote = "ok"; try { fs.writeFileSync(writeTo, "written inside\\n"); } catch (e) { wrote = e.code; }
let homeEntries = null; try { homeEntries = fs.readdirSync(process.env.HOME); } catch (e) { homeEntries = e.code; }
const done = (outcome) => { console.log("PROBE " + JSON.stringify({ uid: process.getuid(), gid: process.getgid(), home: process.env.HOME, homeEntries, token: process.env.MY_API_TOKEN ?? null, reads, wrote, net: outcome })); process.exit(0); };
const socket = net.connect({ host: "127.0.0.1", port: Number(port) });
socket.setTimeout(3000, () => { socket.destroy(); done("timeout"); });
socket.on("data", (d) => { socket.destroy(); done("connected:" + String(d).trim()); });
socket.on("error", (e) => done(e.code));
`;

export interface ProbeOutcome {
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
  readonly homeEntries: string[] | string;
  readonly token: string | null;
  readonly reads: Record<string, string>;
  readonly wrote: string;
  readonly net: string;
}

export function parseProbe(output: string): ProbeOutcome {
  const line = output.split(/\r?\n/).find((l) => l.startsWith("PROBE "));
  if (!line) throw new Error(`no PROBE line in: ${output.slice(0, 2000)}`);
  return JSON.parse(line.slice("PROBE ".length)) as ProbeOutcome;
}

/** The secrets a sandbox must not show, staged for real: in /root, in the (fake) user's HOME, beside the workspace. */
export interface Stage {
  readonly workspace: string;
  readonly home: string;
  readonly rootSecret: string;
  readonly homeSecret: string;
  readonly outsideSecret: string;
  readonly token: string;
  readonly env: NodeJS.ProcessEnv;
  cleanup(): void;
}

export function stage(files: Readonly<Record<string, string>> = { "README.md": "# conformance\n" }): Stage {
  const base = realpathSync(mkdtempSync(path.join(os.tmpdir(), "acp-sandbox-conformance-")));
  const workspace = path.join(base, "workspace");
  const home = path.join(base, "home");
  mkdirSync(path.join(home, ".ssh"), { recursive: true });
  mkdirSync(workspace);
  for (const [rel, text] of Object.entries(files)) writeFileSync(path.join(workspace, rel), text);
  const homeSecret = path.join(home, ".ssh", "id_ed25519");
  writeFileSync(homeSecret, "-----BEGIN OPENSSH PRIVATE KEY----- conformance\n", { mode: 0o600 });
  const outsideSecret = path.join(base, "outside.txt");
  writeFileSync(outsideSecret, "outside the workspace\n");
  const rootHome = os.userInfo().homedir;
  const rootSecret = path.join(rootHome, `.acp-sandbox-conformance-${path.basename(base)}`);
  writeFileSync(rootSecret, "in the real home directory\n", { mode: 0o600 });
  const token = `tok-${Math.random().toString(36).slice(2)}-conformance`;
  return {
    workspace,
    home,
    rootSecret,
    homeSecret,
    outsideSecret,
    token,
    env: { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, ".config"), XDG_STATE_HOME: path.join(home, ".state"), MY_API_TOKEN: token },
    cleanup: () => {
      rmSync(base, { recursive: true, force: true });
      rmSync(rootSecret, { force: true });
    },
  };
}

/** A TCP server on the host's loopback that answers "hello" to whoever connects. */
export async function loopbackServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = net.createServer((socket) => socket.end("hello\n"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Every live descendant of `pid` (by parent links in the process table). */
export function descendants(pid: number): number[] {
  const table = processTable().filter((p) => p.state !== "Z");
  const out: number[] = [];
  const walk = (parent: number) => {
    for (const p of table) {
      if (p.ppid === parent && !out.includes(p.pid)) {
        out.push(p.pid);
        walk(p.pid);
      }
    }
  };
  walk(pid);
  return out;
}
