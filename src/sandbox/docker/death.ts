// Watches a session's container: notices at once when it dies under the agent (gVisor gone, OOM, stopped) and says why.
import { readFileSync } from "node:fs";
import type Docker from "dockerode";
import type { Logger } from "../../log/logger.js";
import { outOfMemory, pidsReached } from "../limits/format.js";
import type { ResourceLimits, SandboxDeath } from "../types.js";

const CGROUP_POLL_MS = 500;
const INSPECT_POLL_MS = 1_000;

export interface ContainerWatch {
  /** Aborted when the container stops without the bridge asking (`explain()` then says why). */
  readonly died: AbortSignal;
  /** The limit hit so far (an OOM event, forks refused), or the death; undefined when nothing happened. */
  explain(): SandboxDeath | undefined;
  /** Asks the daemon now whether the container still runs (the exec may end before the `die` event comes). */
  check(): Promise<SandboxDeath | undefined>;
  stop(): void;
}

/** Where a local daemon keeps the container's pids cgroup (v1 cgroupfs, v2 systemd, v2 cgroupfs). */
function pidsDirs(id: string): string[] {
  return [`/sys/fs/cgroup/pids/docker/${id}`, `/sys/fs/cgroup/system.slice/docker-${id}.scope`, `/sys/fs/cgroup/docker/${id}`];
}

function readNumber(file: string, name?: string): number | undefined {
  try {
    const text = readFileSync(file, "utf8");
    if (name === undefined) return Number(text.trim());
    const m = new RegExp(`^${name} (\\d+)$`, "m").exec(text);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Why a container died: OOMKilled (or an oom event) is memory; forks refused, or a pids count near the
 * limit shortly before (gVisor stops its whole sandbox when the host refuses it a thread), is pids.
 */
export function deathReason(state: { oomKilled: boolean; exitCode: number | undefined }, seen: { oom: boolean; pidsMax: number; pidsPeak: number }, limits: ResourceLimits, runtime: string | undefined): string {
  if (state.oomKilled || seen.oom) return outOfMemory(limits);
  const limit = limits.pids;
  // gVisor's sentry exits with Go's fatal-error code 2 when it cannot get a thread; the count may have dropped by then.
  const gvisorThreads = limit !== undefined && runtime === "runsc" && state.exitCode === 2 && seen.pidsPeak >= limit * 0.5;
  if (limit !== undefined && (seen.pidsMax > 0 || seen.pidsPeak >= limit * 0.75 || gvisorThreads)) {
    const gvisor = runtime === "runsc" ? `; gVisor counts its own threads, ${seen.pidsPeak} were in use` : "";
    return `${pidsReached(limits)}${gvisor}`;
  }
  const who = runtime === "runsc" ? "the gVisor sandbox stopped" : "the container stopped";
  return `${who} (exit code ${state.exitCode ?? "unknown"})`;
}

export function watchContainer(docker: Docker, container: Docker.Container, limits: ResourceLimits, runtime: string | undefined, log: Logger): ContainerWatch {
  const seen = { oom: false, pidsMax: 0, pidsPeak: 0 };
  let death: SandboxDeath | undefined;
  let stopped = false;
  const died = new AbortController();
  const timers: NodeJS.Timeout[] = [];
  const every = (run: () => void, ms: number) => timers.push(setInterval(run, ms).unref());
  let events: NodeJS.ReadableStream | undefined;

  const dead = async () => {
    if (stopped || death) return;
    let state = { oomKilled: false, exitCode: undefined as number | undefined };
    try {
      const info = await container.inspect();
      if (info.State.Running) return;
      state = { oomKilled: info.State.OOMKilled, exitCode: info.State.ExitCode };
    } catch {
      // removed: say what we saw
    }
    if (stopped || death) return;
    death = { reason: deathReason(state, seen, limits, runtime), killed: true };
    log.debug(`docker: the container died under the agent: ${death.reason}`);
    died.abort();
  };

  // Local daemons: the container's pids cgroup, read while it lives (it is gone once the container is).
  const dir = pidsDirs(container.id).find((d) => readNumber(`${d}/pids.current`) !== undefined);
  if (dir) {
    every(() => {
      const current = readNumber(`${dir}/pids.current`);
      if (current !== undefined) seen.pidsPeak = Math.max(seen.pidsPeak, current);
      seen.pidsMax = Math.max(seen.pidsMax, readNumber(`${dir}/pids.events`, "max") ?? 0);
    }, CGROUP_POLL_MS);
  }
  let polling = false;
  const poll = () => {
    if (stopped || polling) return;
    polling = true;
    every(() => void dead(), INSPECT_POLL_MS);
  };
  docker
    .getEvents({ filters: { type: ["container"], container: [container.id], event: ["oom", "die"] } })
    .then((stream) => {
      events = stream;
      if (stopped) return void (stream as unknown as { destroy?: () => void }).destroy?.();
      let partial = "";
      stream.on("data", (chunk: Buffer) => {
        const lines = (partial + chunk.toString("utf8")).split("\n");
        partial = lines.pop() ?? "";
        for (const line of lines) {
          if (line.includes('"oom"')) seen.oom = true;
          if (line.includes('"die"')) void dead();
        }
      });
      // No events (a proxy that cuts long requests): ask the daemon every second instead.
      stream.on("error", poll);
      stream.on("end", poll);
    })
    .catch(poll);
  return {
    died: died.signal,
    // An OOM kill ends the agent (the sandbox's main process) even where the container lives on (runc).
    explain: () => death ?? (seen.oom ? { reason: outOfMemory(limits), killed: true } : seen.pidsMax > 0 ? { reason: pidsReached(limits), killed: false } : undefined),
    check: async () => {
      await dead();
      return death;
    },
    stop: () => {
      stopped = true;
      for (const timer of timers) clearInterval(timer);
      (events as unknown as { destroy?: () => void } | undefined)?.destroy?.();
    },
  };
}
