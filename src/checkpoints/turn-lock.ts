// The marker a bridge holds while a turn runs in a workspace, so that a rollback neither races nor half-undoes it.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

/** Sent by `rollback --force` to the bridge that holds the marker: cancel the running turns. */
export const CANCEL_SIGNAL = "SIGUSR2";

interface Marker {
  readonly pid: number;
  readonly start: string;
  readonly sessions: readonly string[];
}

export interface RunningTurn {
  readonly pid: number;
  readonly sessions: readonly string[];
}

/** A process's start time (clock ticks since boot), so a reused pid is not taken for the bridge. */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

export function markerFile(storeDir: string): string {
  return path.join(storeDir, "turn.json");
}

/** The turn running in this store's workspace, if its bridge is alive; a marker left by a dead bridge is removed. */
export function runningTurn(storeDir: string): RunningTurn | undefined {
  let marker: Marker;
  try {
    marker = JSON.parse(readFileSync(markerFile(storeDir), "utf8")) as Marker;
  } catch {
    return undefined;
  }
  if (marker.pid !== process.pid && startTime(marker.pid) !== marker.start) {
    rmSync(markerFile(storeDir), { force: true });
    return undefined;
  }
  return { pid: marker.pid, sessions: marker.sessions };
}

/** Held by one bridge: the sessions whose turn is running now. */
export class TurnMarker {
  readonly #sessions = new Map<string, number>();

  constructor(readonly storeDir: string) {}

  get running(): readonly string[] {
    return [...this.#sessions.keys()];
  }

  begin(sessionId: string): void {
    this.#sessions.set(sessionId, (this.#sessions.get(sessionId) ?? 0) + 1);
    this.#write();
  }

  end(sessionId: string): void {
    const n = (this.#sessions.get(sessionId) ?? 1) - 1;
    if (n <= 0) this.#sessions.delete(sessionId);
    else this.#sessions.set(sessionId, n);
    this.#write();
  }

  #write(): void {
    const file = markerFile(this.storeDir);
    try {
      if (this.#sessions.size === 0) {
        rmSync(file, { force: true });
        return;
      }
      mkdirSync(this.storeDir, { recursive: true, mode: 0o700 });
      const marker: Marker = { pid: process.pid, start: startTime(process.pid) ?? "?", sessions: this.running };
      const temp = `${file}.${process.pid}.tmp`;
      writeFileSync(temp, JSON.stringify(marker), { mode: 0o600 });
      renameSync(temp, file);
    } catch {
      // the store's directory is unwritable: checkpoints themselves say so
    }
  }
}
