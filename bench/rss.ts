// Peak resident memory of a process: samples /proc/<pid>/status (VmHWM, VmRSS) until stopped.
import { readFileSync } from "node:fs";

export interface MemoryReading {
  /** Peak resident set so far (VmHWM), bytes. */
  readonly peakBytes: number;
  /** Resident set now (VmRSS), bytes. */
  readonly rssBytes: number;
}

/** Parses the VmHWM and VmRSS lines of a /proc/<pid>/status text; undefined if either is missing. */
export function parseStatus(text: string): MemoryReading | undefined {
  const kb = (key: string) => {
    const match = new RegExp(`^${key}:\\s+(\\d+)\\s+kB$`, "m").exec(text);
    return match ? Number(match[1]) * 1024 : undefined;
  };
  const peak = kb("VmHWM");
  const rss = kb("VmRSS");
  return peak === undefined || rss === undefined ? undefined : { peakBytes: peak, rssBytes: rss };
}

export function readMemory(pid: number): MemoryReading | undefined {
  try {
    return parseStatus(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return undefined; // gone
  }
}

/** Watches one process; `stop()` (call it before the process is reaped) gives the highest peak seen. */
export class RssWatch {
  #peak = 0;
  readonly #timer: NodeJS.Timeout;

  constructor(
    readonly pid: number,
    intervalMs = 25,
  ) {
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), intervalMs);
    this.#timer.unref();
  }

  #sample(): void {
    const reading = readMemory(this.pid);
    if (reading) this.#peak = Math.max(this.#peak, reading.peakBytes, reading.rssBytes);
  }

  /** The peak in bytes (0 if the process could never be read). */
  stop(): number {
    this.#sample();
    clearInterval(this.#timer);
    return this.#peak;
  }
}

/** Peaks seen during a bench run, by role: the bridge, and the agent when run directly (for reference). */
export class RssLog {
  readonly peaks: Array<{ readonly role: "bridge" | "direct-agent"; readonly during: string; readonly bytes: number }> = [];

  record(role: "bridge" | "direct-agent", during: string, bytes: number): void {
    if (bytes > 0) this.peaks.push({ role, during, bytes });
  }
}
