// A quiet, orderly stop: close the process's stdin, let it exit on its own for a moment, then signal its group.
import type { Writable } from "node:stream";
import type { ExitStatus } from "../sandbox/types.js";

/** How long an agent gets to exit by itself once its stdin is closed, before it is signalled. */
export const QUIET_EXIT_MS = 1_500;

export interface Stoppable {
  readonly stdin: Writable;
  readonly exited: Promise<ExitStatus>;
  terminate(graceMs?: number): Promise<ExitStatus>;
}

/**
 * Ends stdin (an ACP agent treats EOF as the end of the session and exits cleanly, without the
 * "killed by SIGTERM" noise of its children), waits up to `quietMs`, and only then terminates the group,
 * which also takes down whatever the agent left behind.
 */
export async function stopQuietly(process: Stoppable, graceMs: number, quietMs = QUIET_EXIT_MS): Promise<ExitStatus> {
  try {
    process.stdin.end();
  } catch {
    // already closed
  }
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), quietMs)));
  const first = await Promise.race([process.exited, waited]);
  clearTimeout(timer);
  // Exited or not, the group goes: children the agent started may still be running.
  const status = await process.terminate(graceMs);
  return first === "timeout" ? status : first;
}
