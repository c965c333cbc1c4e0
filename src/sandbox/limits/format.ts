// How limits and the limit a sandbox hit are said to people: `256 MiB`, `out of memory (limit 256 MiB)`.
import type { ResourceLimits } from "../types.js";

export function formatBytes(bytes: number): string {
  for (const [unit, scale] of [["TiB", 1024 ** 4], ["GiB", 1024 ** 3], ["MiB", 1024 ** 2], ["KiB", 1024]] as const) {
    if (bytes >= scale) {
      const value = bytes / scale;
      return `${Number.isInteger(value) ? value : value.toFixed(1)} ${unit}`;
    }
  }
  return `${bytes} B`;
}

/** What the kernel (or Docker) recorded: a process killed for memory, a fork refused at the pids limit. */
export interface LimitEvents {
  readonly oomKills: number;
  readonly pidsMax: number;
}

export const NO_EVENTS: LimitEvents = { oomKills: 0, pidsMax: 0 };

export function outOfMemory(limits: ResourceLimits): string {
  return `out of memory (limit ${limits.memoryBytes !== undefined ? formatBytes(limits.memoryBytes) : "none set"})`;
}

export function pidsReached(limits: ResourceLimits): string {
  return `pids limit ${limits.pids ?? "?"} reached`;
}

/** The limit that was hit, memory first (an OOM kill is what ends processes), or undefined. */
export function limitReason(events: LimitEvents, limits: ResourceLimits): string | undefined {
  if (events.oomKills > 0) return outOfMemory(limits);
  if (events.pidsMax > 0) return pidsReached(limits);
  return undefined;
}
