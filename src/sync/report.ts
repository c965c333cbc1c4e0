// Says what a sync did, in one line for stderr, and shows progress while a long one runs.
import type { SyncConflict, SyncReport } from "./types.js";

export interface SyncLog {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${(bytes / 1024 / 1024 / 1024).toFixed(2)} GB`;
}

const ARROW = { "to-runtime": "host → runtime", "to-host": "runtime → host" } as const;

export function formatReport(report: SyncReport): string {
  const parts = [
    `${report.files} ${report.files === 1 ? "entry" : "entries"} (${formatBytes(report.bytes)})`,
    `${report.deletions} deleted`,
    `${report.conflicts.length} ${report.conflicts.length === 1 ? "conflict" : "conflicts"}`,
    `${report.skipped.length} skipped`,
  ];
  return `sync ${ARROW[report.direction]}: ${parts.join(", ")} in ${report.durationMs} ms`;
}

export function formatConflict(conflict: SyncConflict): string {
  return `sync conflict: ${conflict.path} ${conflict.detail}${conflict.keptAs ? `; the runtime's version is kept as ${conflict.keptAs}` : ""}`;
}

/** Counts files and bytes as they move; after `afterMs`, says so on the log every `everyMs`. */
export class Progress {
  files = 0;
  bytes = 0;
  #timer: NodeJS.Timeout | undefined;
  #delay: NodeJS.Timeout | undefined;

  constructor(
    private readonly log: SyncLog,
    private readonly label: string,
    private readonly total: () => { files: number; bytes: number } | undefined,
    afterMs = 1000,
    everyMs = 2000,
  ) {
    this.#delay = setTimeout(() => {
      this.#say();
      this.#timer = setInterval(() => this.#say(), everyMs);
      this.#timer.unref();
    }, afterMs);
    this.#delay.unref();
  }

  add = (size: number): void => {
    this.files += 1;
    this.bytes += size;
  };

  #say(): void {
    const total = this.total();
    const of = total ? ` of ${total.files} (${formatBytes(this.bytes)} of ${formatBytes(total.bytes)})` : ` (${formatBytes(this.bytes)})`;
    this.log.info(`${this.label}: ${this.files}${of}…`);
  }

  stop(): void {
    clearTimeout(this.#delay);
    clearInterval(this.#timer);
  }
}
