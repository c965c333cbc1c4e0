// Workspace sync between the host and a runtime's copy: one sync at a time, each reported, the baseline kept.
import type { BaselineStore } from "./baseline.js";
import { type Counts, runtimeManifest, type SyncRun } from "./context.js";
import { sameEntry, toBaseline } from "./entries.js";
import { Excludes } from "./excludes.js";
import type { Owner } from "./pack.js";
import { formatConflict, formatReport, type SyncLog } from "./report.js";
import { syncToHost } from "./to-host.js";
import { syncToRuntime } from "./to-runtime.js";
import type { Baseline, Direction, SyncConflict, SyncReport, SyncRuntime } from "./types.js";
import type { HostWatcher } from "./watch.js";

export interface WorkspaceSyncOptions {
  /** Host workspace: absolute, resolved. */
  readonly workspace: string;
  readonly runtime: SyncRuntime;
  readonly store: BaselineStore;
  readonly log: SyncLog;
  /** Owner of what lands in the runtime: the sandbox's user. */
  readonly owner: Owner;
  /** Extra exclude patterns (gitignore syntax) from the configuration. */
  readonly excludes?: readonly string[];
  /** Sees host edits between syncs; without one, every sync to the runtime scans and compares everything. */
  readonly watcher?: HostWatcher;
  /** Told about every conflict as it is found (the bridge shows them to the editor). */
  readonly onConflict?: (conflict: SyncConflict) => void;
}

export class WorkspaceSync {
  readonly #options: WorkspaceSyncOptions;
  #watcher: HostWatcher | undefined;
  readonly excludes: Excludes;
  #queue: Promise<unknown> = Promise.resolve();
  /**
   * True once a full comparison has left nothing pending: from then on, a watcher that saw no host change
   * proves there is nothing to send. Any conflict or failure clears it.
   */
  #settled = false;

  constructor(options: WorkspaceSyncOptions) {
    this.#options = options;
    this.#watcher = options.watcher;
    this.excludes = new Excludes(options.workspace, options.excludes ?? []);
  }

  /** From now on, host edits are known from `watcher` (changes before this are found by a full comparison). */
  watch(watcher: HostWatcher): void {
    this.#watcher = watcher;
    this.#settled = false;
  }

  get runtime(): SyncRuntime {
    return this.#options.runtime;
  }

  /** Host → runtime. Syncs run one at a time, in the order asked. */
  toRuntime(signal?: AbortSignal): Promise<SyncReport> {
    return this.#serial("to-runtime", signal, async (run) => {
      const watcher = this.#watcher;
      const dirty = watcher?.take();
      if (this.#settled && watcher?.reliable && dirty?.size === 0) return { files: 0, bytes: 0, deletions: 0 };
      const { held, ...counts } = await syncToRuntime(run, dirty);
      this.#settled = held === 0;
      return counts;
    });
  }

  /**
   * Host → runtime, overwriting what the runtime changed itself: after a rollback, the copy must equal the host.
   * With the runtime's present state as the baseline, every difference is a host change that travels.
   */
  resetRuntime(signal?: AbortSignal): Promise<SyncReport> {
    return this.#serial("to-runtime", signal, async (run) => {
      const dirty = this.#watcher?.take();
      const remote = await runtimeManifest(run, false);
      const old = new Map(run.baseline);
      run.baseline.clear();
      run.next.clear();
      for (const [rel, entry] of remote) {
        const before = old.get(rel);
        const b = toBaseline(entry, "runtime", before && sameEntry(before, entry) ? before : undefined);
        run.baseline.set(rel, b);
        run.next.set(rel, b);
      }
      const { held, ...counts } = await syncToRuntime(run, dirty);
      this.#settled = held === 0;
      return counts;
    });
  }

  /** Runtime → host. */
  toHost(signal?: AbortSignal): Promise<SyncReport> {
    return this.#serial("to-host", signal, async (run) => {
      const counts = await syncToHost(run, this.#watcher?.peek(), (c) => this.#options.onConflict?.(c));
      if (run.conflicts.length > 0) this.#settled = false;
      return counts;
    });
  }

  #serial(direction: Direction, signal: AbortSignal | undefined, work: (run: SyncRun) => Promise<Counts>): Promise<SyncReport> {
    const go = () => this.#run(direction, signal, work);
    const result = this.#queue.then(go, go);
    this.#queue = result.catch(() => {});
    return result;
  }

  async #run(direction: Direction, signal: AbortSignal | undefined, work: (run: SyncRun) => Promise<Counts>): Promise<SyncReport> {
    const started = performance.now();
    const { workspace, runtime, owner, log, store } = this.#options;
    this.excludes.reset();
    const baseline = this.#admit(await store.load());
    const run: SyncRun = { workspace, runtime, excludes: this.excludes, owner, log, baseline, next: new Map(baseline), skipped: [], conflicts: [], ...(signal ? { signal } : {}) };
    let counts: Counts;
    try {
      counts = await work(run);
    } catch (error) {
      this.#settled = false;
      throw error;
    }
    await store.save(run.next);
    const report: SyncReport = { direction, ...counts, conflicts: run.conflicts, skipped: run.skipped, durationMs: Math.round(performance.now() - started) };
    log.info(formatReport(report));
    for (const c of report.conflicts) log.warn(formatConflict(c));
    for (const skip of report.skipped) log.debug(`sync skipped ${skip.path}: ${skip.reason}`);
    return report;
  }

  /** Drops baseline entries the excludes now cover: excluded paths are left alone on both sides. */
  #admit(baseline: Baseline): Baseline {
    for (const [rel, entry] of baseline) {
      if (this.excludes.excluded(rel, entry.type === "dir")) baseline.delete(rel);
    }
    return baseline;
  }
}
