// Labels on every container acp-sandbox creates, and whether the bridge that owns one is still alive.
import { readFileSync } from "node:fs";
import os from "node:os";

export const LABEL = {
  app: "acp-sandbox",
  workspace: "acp-sandbox.workspace",
  session: "acp-sandbox.session",
  config: "acp-sandbox.config",
  persist: "acp-sandbox.persist",
  owner: "acp-sandbox.owner",
} as const;

export type Persist = "transient" | "reuse";

/** A process's start time (clock ticks since boot), so a reused pid is not mistaken for the owner. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

/** `host/pid/starttime` of this bridge. */
export function ownerTag(pid: number = process.pid): string {
  return `${os.hostname()}/${pid}/${processStartTime(pid) ?? "?"}`;
}

/**
 * Whether the bridge named by an owner tag still runs: true/false on this host, undefined when the
 * tag names another host (a remote engine's container may belong to a bridge elsewhere).
 */
export function ownerAlive(tag: string | undefined): boolean | undefined {
  if (!tag) return false;
  const [host, pid, start] = tag.split("/");
  if (host !== os.hostname()) return undefined;
  const now = processStartTime(Number(pid));
  return now !== undefined && (start === "?" || now === start);
}

/** Docker list filters for our containers, optionally narrowed by label values. */
export function labelFilters(extra: Readonly<Record<string, string>> = {}): string {
  return JSON.stringify({ label: [`${LABEL.app}=1`, ...Object.entries(extra).map(([key, value]) => `${key}=${value}`)] });
}
