// bwrap's argv, built as data from the resolved sandbox: tests read it without spawning anything.
import path from "node:path";
import { FORWARDER_FILE, GATEWAY_PORT, INSIDE_DIR, PROXY_PORT } from "../../network/inside/layout.js";
import { type ProtectPlan, protectBinds } from "../protect/plan.js";
import type { NetworkChannel, ProcessSpec, SandboxSpec } from "../types.js";

/** A top-level system directory as the host has it: a real directory (bound read-only) or a symlink (recreated). */
export type SystemEntry = { readonly kind: "dir"; readonly path: string } | { readonly kind: "symlink"; readonly path: string; readonly target: string };

/** Sensitive paths under the system directories, hidden even though their parent is shown. */
export type Mask = { readonly kind: "file" | "dir"; readonly path: string };

export interface BwrapPlan {
  readonly spec: SandboxSpec;
  /** HOME inside: the host HOME's path, shadowed by an empty directory. */
  readonly home: string;
  /** Host directories that back HOME and /tmp for every process of the sandbox (created per sandbox, removed after). */
  readonly scratchHome: string;
  readonly scratchTmp: string;
  readonly system: readonly SystemEntry[];
  readonly masks: readonly Mask[];
  /** Extra files the network needs when it is open (a resolv.conf that lives outside /etc). */
  readonly networkFiles: readonly string[];
  /** Read-only mounts over the workspace's protected paths (git directories bound onto themselves first). */
  readonly protect?: ProtectPlan | undefined;
  /** With `network: "allow"`: the host directory of the proxy's sockets and the node that runs the forwarder. */
  readonly network?: { readonly channel: NetworkChannel; readonly node: string; readonly bindNode: boolean } | undefined;
}

/**
 * With `network: "allow"` every process starts behind the forwarder: it listens on the loopback ports of the
 * process's own network namespace and relays to the sockets, then runs the command.
 */
function behindForwarder(plan: BwrapPlan, process: ProcessSpec): readonly string[] {
  const net = plan.network;
  if (!net || plan.spec.network !== "allow") return [process.command, ...process.args];
  const inside = (file: string) => path.posix.join(INSIDE_DIR, path.basename(file));
  const pairs = [`${PROXY_PORT}=${inside(net.channel.proxySocket)}`];
  if (net.channel.gatewaySocket) pairs.push(`${GATEWAY_PORT}=${inside(net.channel.gatewaySocket)}`);
  return [net.node, path.posix.join(INSIDE_DIR, FORWARDER_FILE), ...pairs, "--", process.command, ...process.args];
}

export interface BwrapOptions {
  /** A PTY process keeps the terminal as its controlling tty (no --new-session, whose point is TIOCSTI). */
  readonly tty?: boolean;
}

function depth(p: string): number {
  return p.split("/").filter(Boolean).length;
}

/** Binds, shallowest first so that deeper ones land on top (the workspace inside a read-only parent stays writable). */
function binds(plan: BwrapPlan): string[] {
  const { spec } = plan;
  const list = [
    { source: plan.scratchTmp, target: "/tmp", writable: true },
    { source: plan.scratchHome, target: plan.home, writable: true },
    ...spec.extraDirectories.filter((d) => d.runtimePath !== spec.runtimeRoot).map((d) => ({ source: d.hostPath, target: d.runtimePath, writable: d.writable })),
    { source: spec.workspace, target: spec.runtimeRoot, writable: true },
    ...(plan.protect ? protectBinds(plan.protect, spec.workspace, spec.runtimeRoot) : []),
  ];
  const ordered = list.map((b, i) => ({ ...b, i })).sort((a, b) => depth(a.target) - depth(b.target) || a.i - b.i);
  return ordered.flatMap((b) => [b.writable ? "--bind" : "--ro-bind", b.source, b.target]);
}

/**
 * The whole bwrap command line for one process. Every namespace is unshared (the network one is
 * shared only when the network is open); the system directories are read-only, sensitive files in
 * them masked; HOME and /tmp are the sandbox's own; the workspace is read-write at its runtime path.
 * The environment is not here: it is bwrap's own (the spawn's env), so values never reach argv.
 */
export function bwrapArgv(plan: BwrapPlan, process: ProcessSpec, options: BwrapOptions = {}): string[] {
  const { spec } = plan;
  const argv: string[] = [];
  if (!options.tty) argv.push("--new-session");
  argv.push("--die-with-parent", "--unshare-all", "--unshare-user");
  if (spec.network === "open") argv.push("--share-net");
  argv.push("--cap-drop", "ALL", "--hostname", "acp-sandbox");
  for (const entry of plan.system) {
    if (entry.kind === "dir") argv.push("--ro-bind", entry.path, entry.path);
    else argv.push("--symlink", entry.target, entry.path);
  }
  for (const mask of plan.masks) {
    if (mask.kind === "file") argv.push("--ro-bind", "/dev/null", mask.path);
    else argv.push("--tmpfs", mask.path, "--remount-ro", mask.path);
  }
  if (spec.network === "open") for (const file of plan.networkFiles) argv.push("--ro-bind", file, file);
  argv.push("--proc", "/proc", "--dev", "/dev");
  argv.push(...binds(plan));
  if (plan.network && spec.network === "allow") {
    argv.push("--ro-bind", plan.network.channel.dir, INSIDE_DIR);
    if (plan.network.bindNode) argv.push("--ro-bind", plan.network.node, plan.network.node);
  }
  argv.push("--chdir", process.cwd ?? spec.runtimeRoot);
  argv.push("--", ...behindForwarder(plan, process));
  return argv;
}
