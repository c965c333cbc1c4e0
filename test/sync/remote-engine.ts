// Test support: a second Docker engine "on another host": its own dockerd in a network namespace, reached over TCP.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync, existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Docker from "dockerode";

export interface RemoteEngine {
  /** `tcp://addr:2375`, for DOCKER_HOST. */
  readonly host: string;
  readonly docker: Docker;
  readonly namespace: string;
  readonly dataRoot: string;
  /** dockerd's log so far (for failure messages). */
  log(): string;
  /** Stops dockerd (and its containerd), deletes the namespace and the veth pair, removes its directories. */
  stop(): Promise<void>;
}

function which(tool: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Why a second engine cannot be started here, or undefined. */
export function remoteEngineUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "starting a second dockerd in a network namespace needs root";
  const missing = ["ip", "nsenter", "dockerd"].filter((tool) => !which(tool));
  if (missing.length > 0) return `missing ${missing.join(", ")} (install iproute2, util-linux, docker.io)`;
  return undefined;
}

const ip = (...args: string[]) => execFileSync("ip", args, { stdio: ["ignore", "ignore", "pipe"] });

async function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export async function startRemoteEngine(): Promise<RemoteEngine> {
  const tag = `${process.pid % 100000}${Math.floor(Math.random() * 100)}`.slice(0, 7);
  const namespace = `acps${tag}`;
  const outside = `acps${tag}h`;
  const inside = `acps${tag}n`;
  const octet = Math.floor(Math.random() * 250) + 1;
  const base = Math.floor(Math.random() * 60) * 4;
  const hostAddr = `10.231.${octet}.${base + 1}`;
  const engineAddr = `10.231.${octet}.${base + 2}`;
  const dir = mkdtempSync(path.join(os.tmpdir(), "acp-remote-"));
  const logFile = path.join(dir, "dockerd.log");
  let child: ChildProcess | undefined;

  const cleanup = async () => {
    if (child && !(await exited(child, 0))) {
      child.kill("SIGTERM");
      if (!(await exited(child, 20_000))) {
        child.kill("SIGKILL");
        await exited(child, 5_000);
      }
    }
    try {
      ip("netns", "del", namespace);
    } catch {
      // already gone
    }
    try {
      ip("link", "del", outside);
    } catch {
      // went with the namespace
    }
    // Anything dockerd left mounted under its roots (it unmounts on a clean exit).
    for (const line of readFileSync("/proc/mounts", "utf8").split("\n").reverse()) {
      const mountPoint = line.split(" ")[1];
      if (mountPoint?.startsWith(dir)) {
        try {
          execFileSync("umount", ["-l", mountPoint], { stdio: "ignore" });
        } catch {
          // not ours to worry about further
        }
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    ip("netns", "add", namespace);
    ip("link", "add", outside, "type", "veth", "peer", "name", inside);
    ip("link", "set", inside, "netns", namespace);
    ip("addr", "add", `${hostAddr}/30`, "dev", outside);
    ip("link", "set", outside, "up");
    ip("netns", "exec", namespace, "ip", "addr", "add", `${engineAddr}/30`, "dev", inside);
    ip("netns", "exec", namespace, "ip", "link", "set", inside, "up");
    ip("netns", "exec", namespace, "ip", "link", "set", "lo", "up");
    const log = openSync(logFile, "a");
    // nsenter, not `ip netns exec`: the latter remounts /sys, and dockerd then dies ("Devices cgroup isn't mounted").
    child = spawn(
      "nsenter",
      [
        `--net=/var/run/netns/${namespace}`,
        "dockerd",
        "--data-root", path.join(dir, "data"),
        "--exec-root", path.join(dir, "exec"),
        "--pidfile", path.join(dir, "dockerd.pid"),
        "-H", `tcp://${engineAddr}:2375`,
        "--tls=false",
        "--bridge", "none",
        "--iptables=false",
        "--ip6tables=false",
      ],
      { stdio: ["ignore", log, log] },
    );
    closeSync(log);
    const docker = new Docker({ host: engineAddr, port: 2375 });
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        await docker.ping();
        break;
      } catch {
        if (child.exitCode !== null || Date.now() > deadline) {
          throw new Error(`the second dockerd did not come up: ${existsSync(logFile) ? readFileSync(logFile, "utf8").slice(-2000) : "no log"}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
    return {
      host: `tcp://${engineAddr}:2375`,
      docker,
      namespace,
      dataRoot: path.join(dir, "data"),
      log: () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : ""),
      stop: cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
