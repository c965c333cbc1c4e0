// Whether Docker works here: the daemon answers, and the runtime asked for (runsc) is registered.
import type Docker from "dockerode";
import type { ProbeResult } from "../types.js";
import { daemonAddress, dockerErrorMessage } from "./client.js";

const PING_TIMEOUT_MS = 3_000;

export interface DaemonInfo {
  readonly version: string;
  readonly runtimes: readonly string[];
  readonly defaultRuntime: string;
  /** The daemon can enforce memory and pids limits (its kernel has the cgroup controllers). */
  readonly memoryLimit: boolean;
  readonly pidsLimit: boolean;
  readonly cgroupVersion: string;
}

/** The daemon's version and runtimes, or why it cannot be reached. */
export async function daemonInfo(docker: Docker, signal?: AbortSignal): Promise<{ ok: true; info: DaemonInfo } | { ok: false; reason: string }> {
  const timeout = AbortSignal.timeout(PING_TIMEOUT_MS);
  const abortSignal = signal ? AbortSignal.any([signal, timeout]) : timeout;
  try {
    // dockerode's info() takes an abortSignal option its typings do not declare.
    const withSignal = docker.info as unknown as (options: { abortSignal: AbortSignal }) => Promise<unknown>;
    const info = (await withSignal.call(docker, { abortSignal })) as {
      ServerVersion?: string;
      Runtimes?: Record<string, unknown>;
      DefaultRuntime?: string;
      MemoryLimit?: boolean;
      PidsLimit?: boolean;
      CgroupVersion?: string;
    };
    return {
      ok: true,
      info: {
        version: info.ServerVersion ?? "unknown",
        runtimes: Object.keys(info.Runtimes ?? {}),
        defaultRuntime: info.DefaultRuntime ?? "runc",
        memoryLimit: info.MemoryLimit !== false,
        pidsLimit: info.PidsLimit !== false,
        cgroupVersion: info.CgroupVersion ?? "unknown",
      },
    };
  } catch (error) {
    return { ok: false, reason: timeout.aborted ? `no answer within ${PING_TIMEOUT_MS} ms` : dockerErrorMessage(error) };
  }
}

/** The daemon.json entry that registers runsc so that it works on recent kernels. */
export const RUNSC_FIX =
  'add it to /etc/docker/daemon.json — "runtimes": {"runsc": {"path": "/usr/bin/runsc", "runtimeArgs": ["--network=host"]}} — and reload dockerd (kill -HUP $(pidof dockerd)); install it with apt install runsc';

export async function probeDocker(docker: Docker, runtime: string | undefined, signal?: AbortSignal): Promise<ProbeResult> {
  const result = await daemonInfo(docker, signal);
  if (!result.ok) {
    return {
      backend: "docker",
      available: false,
      detail: `Docker daemon not reachable at ${daemonAddress()}: ${result.reason}`,
      fix: "start dockerd (or Docker Desktop), or point DOCKER_HOST at a running engine",
    };
  }
  const { info } = result;
  if (runtime && !info.runtimes.includes(runtime)) {
    return {
      backend: "docker",
      available: false,
      detail: `${runtime} is not registered as a Docker runtime (the daemon has: ${info.runtimes.join(", ")})`,
      fix: runtime === "runsc" ? RUNSC_FIX : `register ${runtime} in /etc/docker/daemon.json`,
    };
  }
  return {
    backend: "docker",
    available: true,
    detail: `Docker ${info.version} at ${daemonAddress()}, runtime ${runtime ?? info.defaultRuntime} (registered: ${info.runtimes.join(", ")})`,
  };
}
