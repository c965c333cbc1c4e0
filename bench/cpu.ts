// CPU time a process has used (user + system), from /proc/<pid>/stat, in ms.
import { readFileSync } from "node:fs";

const TICKS_PER_SECOND = 100;

/** utime + stime in ms; undefined once the process is gone. Resolution: one clock tick (10 ms). */
export function cpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}
