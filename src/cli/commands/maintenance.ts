// doctor, ls, prune, sync: looking after the sandboxes rather than running an agent.
import { existsSync, realpathSync } from "node:fs";
import path from "node:path";
import type { Logger } from "../../log/logger.js";
import { agentStateRoot, listAgentStates, removeAgentStates } from "../../sandbox/agent-state.js";
import { removeStaleScratch } from "../../sandbox/bwrap/scratch.js";
import { removeStaleMountPoints } from "../../sandbox/protect/mount-points.js";
import { dockerClient, daemonAddress, dockerErrorMessage } from "../../sandbox/docker/client.js";
import { listSandboxContainers, pruneSandboxes, type SandboxContainer } from "../../sandbox/docker/housekeeping.js";
import { LABEL } from "../../sandbox/docker/labels.js";
import { daemonInfo, RUNSC_FIX } from "../../sandbox/docker/probe.js";
import { removeStaleCgroups } from "../../sandbox/limits/cgroup.js";
import { cgroupSupport } from "../../sandbox/limits/cgroup-support.js";
import { backendLimits } from "../../sandbox/limits/doctor.js";
import { probeAll } from "../../sandbox/registry.js";
import { BaselineStore, defaultStateDir } from "../../sync/baseline.js";
import { pruneCheckpoints } from "../../checkpoints/prune.js";
import type { ProbeResult } from "../../sandbox/types.js";
import type { OptionValues } from "../parse.js";
import type { Command } from "../options/index.js";

const out = (line = "") => void process.stdout.write(line + "\n");

function probeLine(name: string, available: boolean, detail: string, fix?: string): string {
  return `${available ? "ok " : "no "} ${name.padEnd(7)} ${detail}${fix ? `\n            fix: ${fix}` : ""}`;
}

/** The gVisor line: whether runsc is registered with the daemon (the docker line says whether it answers). */
async function runscLine(): Promise<string> {
  const result = await daemonInfo(dockerClient());
  if (!result.ok) return probeLine("runsc", false, "unknown: the Docker daemon does not answer");
  if (result.info.runtimes.includes("runsc")) return probeLine("runsc", true, "registered with the Docker daemon (gVisor: --sandbox docker --docker-runtime runsc)");
  return probeLine("runsc", false, "runsc is not registered as a Docker runtime", RUNSC_FIX);
}

/** Which network modes each backend enforces (local enforces none: its agent has the host's network). */
export const NETWORK_MODES: Readonly<Record<string, string>> = {
  local: "none of them (the agent has the host's network; --network allow is refused)",
  bwrap: "none, allow, open",
  docker: "none, allow, open (also with runsc, and against a remote engine)",
};

function networkLine(probes: readonly ProbeResult[]): string {
  return "network modes each backend enforces:\n" + probes.map((p) => `    ${p.backend.padEnd(7)} ${NETWORK_MODES[p.backend] ?? "unknown"}${p.available ? "" : " (not available here)"}`).join("\n");
}

/** What `auto` would pick: the first available backend in order. */
export function autoChoice(probes: readonly ProbeResult[]): ProbeResult | undefined {
  return probes.find((p) => p.available);
}

async function doctor(values: OptionValues): Promise<number> {
  const runtime = typeof values["docker-runtime"] === "string" ? values["docker-runtime"] : undefined;
  const probes = await probeAll(runtime ? { runtime } : {});
  for (const probe of probes) {
    out(probeLine(probe.backend, probe.available, probe.detail, probe.fix));
    if (probe.backend === "docker") out(await runscLine());
    const info = probe.backend === "docker" && probe.available ? await daemonInfo(dockerClient()) : undefined;
    const limits = probe.available ? backendLimits(probe.backend, info?.ok ? info.info : undefined) : undefined;
    if (limits) out(probeLine("limits", limits.enforced, `${probe.backend}: ${limits.detail}`, limits.fix));
  }
  out(networkLine(probes));
  const pick = autoChoice(probes);
  out(pick ? `--sandbox auto picks ${pick.backend}${pick.backend === "local" ? " (NO ISOLATION)" : ""}` : "--sandbox auto has nothing to pick");
  return pick && pick.backend !== "local" ? 0 : 1;
}

function row(c: SandboxContainer): string[] {
  const owner = c.persist === "reuse" ? "-" : c.ownerAlive === undefined ? "another host" : c.ownerAlive ? "running" : "gone";
  return [c.name, c.state, c.persist + (c.copy ? " (copy)" : ""), owner, c.created.toISOString().replace(/\.\d+Z$/, "Z"), c.workspace];
}

function table(rows: readonly string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) out(r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  "));
}

/**
 * `-w DIR`: the labels that pick one workspace's containers; none for every workspace. A workspace that
 * has been deleted since still names its containers (by the absolute path they were labelled with).
 */
function workspaceLabels(values: OptionValues): Record<string, string> {
  const workspace = values["workspace"];
  if (typeof workspace !== "string") return {};
  const dir = path.resolve(workspace);
  return { [LABEL.workspace]: existsSync(dir) ? realpathSync(dir) : dir };
}

async function ls(values: OptionValues, log: Logger): Promise<number> {
  let containers: SandboxContainer[];
  try {
    containers = await listSandboxContainers(dockerClient(), workspaceLabels(values));
  } catch (error) {
    log.error(`ls: the Docker daemon at ${daemonAddress()} does not answer (${dockerErrorMessage(error)}); bwrap keeps nothing to list`);
    return 1;
  }
  if (containers.length === 0) out("no containers kept or left behind");
  else table([["NAME", "STATE", "PERSIST", "BRIDGE", "CREATED", "WORKSPACE"], ...containers.map(row)]);
  const states = listAgentStates();
  out();
  if (states.length === 0) out(`no agent state kept (${agentStateRoot()})`);
  else table([["AGENT STATE", "SIZE", "DIRECTORY"], ...states.map((s) => [s.agent, `${Math.ceil(s.bytes / 1024)}K`, s.path])]);
  return 0;
}

async function prune(values: OptionValues, log: Logger): Promise<number> {
  const labels = workspaceLabels(values);
  // bwrap's scratch directories belong to bridges, not workspaces: cleaned only by a prune of everything.
  const scratch = values["workspace"] === undefined ? removeStaleScratch() : [];
  if (scratch.length > 0) out(`removed ${scratch.length} bwrap scratch director${scratch.length === 1 ? "y" : "ies"} of bridges that are gone`);
  // Mount points a killed bridge created for read-only mounts (an empty .git/hooks, …).
  const points = removeStaleMountPoints(defaultStateDir(), labels[LABEL.workspace]);
  for (const p of points.removed) out(`removed ${p} (a mount point left by a bridge that is gone)`);
  for (const p of points.left) out(`kept ${p}: created as a mount point by a bridge that is gone, but no longer empty`);
  const cgroups = values["workspace"] === undefined ? await removeStaleCgroups(cgroupSupport()) : [];
  if (cgroups.length > 0) out(`removed ${cgroups.length} bwrap cgroup${cgroups.length === 1 ? "" : "s"} of bridges that are gone`);
  const gone = pruneCheckpoints(defaultStateDir(), labels[LABEL.workspace]);
  for (const workspace of gone) out(`removed the checkpoints of ${workspace} (the workspace no longer exists)`);
  let result;
  try {
    result = await pruneSandboxes(dockerClient(), values["force"] === true, labels);
  } catch (error) {
    log.error(`prune: the Docker daemon at ${daemonAddress()} does not answer (${dockerErrorMessage(error)})`);
    return 1;
  }
  for (const c of result.removed) {
    // A copy-mode container's sync record (its baseline) means nothing once the copy is gone.
    if (c.copy) await new BaselineStore(defaultStateDir(), c.workspace, c.id).remove();
    out(`removed ${c.name} (${c.persist}, ${c.workspace})${c.copy ? " and its sync record" : ""}`);
  }
  for (const { container, why } of result.kept) out(`kept ${container.name}: ${why}`);
  const states = values["state"] === true ? removeAgentStates() : [];
  for (const state of states) out(`removed the agent state ${state}`);
  if (result.removed.length === 0 && scratch.length === 0 && points.removed.length === 0 && cgroups.length === 0 && states.length === 0 && gone.length === 0) out("nothing to remove");
  return 0;
}

export async function runMaintenanceCommand(command: Exclude<Command, "bridge" | "run" | "demo" | "checkpoints" | "rollback">, values: OptionValues, log: Logger): Promise<number> {
  switch (command) {
    case "doctor":
      return doctor(values);
    case "sync": {
      const { runSyncCommand } = await import("../../sync/command.js");
      return runSyncCommand(values, log);
    }
    case "ls":
      return ls(values, log);
    case "prune":
      return prune(values, log);
  }
}
