// Takes a workspace's checkpoints: the state before a turn, then what the turn changed; one at a time.
import { CheckpointError, errorMessage } from "../errors.js";
import { Excludes } from "../sync/excludes.js";
import { changedPaths, countChanges } from "./diff.js";
import { type Limits, noteAdded, sweep } from "./retention.js";
import { scanWorkspace } from "./scan.js";
import { CheckpointStore } from "./store.js";
import type { CheckpointKind, CheckpointMeta, StoredTree } from "./types.js";

export interface RecorderOptions {
  readonly workspace: string;
  readonly stateDir: string;
  /** Extra exclude patterns (the sync rules' `exclude`). */
  readonly excludes: readonly string[];
  readonly limits: Limits;
  /** Told when a sweep fails (it never fails a checkpoint). */
  readonly onSweepError?: (message: string) => void;
}

export interface BeginFields {
  readonly kind: CheckpointKind;
  readonly session: string;
  readonly title: string;
  /** Default: one more than this session's checkpoints so far. */
  readonly turn?: number;
}

/** A full disk says so in words a person can act on. */
export function describeWriteFailure(error: unknown, dir: string): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOSPC") return `no space left on the device that holds ${dir}`;
  if (code === "EDQUOT") return `disk quota exceeded on ${dir}`;
  if (code === "EACCES" || code === "EPERM" || code === "EROFS") return `cannot write to ${dir} (${code})`;
  return errorMessage(error);
}

export class Recorder {
  readonly store: CheckpointStore;
  readonly #options: RecorderOptions;
  /** The last tree scanned here, with the checkpoint it belongs to: the stat cache of the next scan. */
  #last: { tree: StoredTree; id: number; end: boolean } | undefined;
  readonly #turns = new Map<string, number>();
  readonly #rules: Excludes;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: RecorderOptions) {
    this.#options = options;
    this.store = new CheckpointStore(options.stateDir, options.workspace);
    this.#rules = new Excludes(options.workspace, options.excludes);
  }

  /** Runs `work` after everything queued before it (checkpoints, finishes, sweeps, rollbacks). */
  serial<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(work, work);
    this.#queue = result.catch(() => {});
    return result;
  }

  /** The newest tree on disk (its end if recorded), as a stat cache and as the base for outside changes. */
  #newest(): { tree: StoredTree; meta: CheckpointMeta; end: boolean } | undefined {
    const meta = this.store.list()[0];
    if (!meta) return undefined;
    if (this.#last && this.#last.id === meta.id && this.#last.end === !!meta.end) return { tree: this.#last.tree, meta, end: this.#last.end };
    try {
      return meta.end ? { tree: this.store.readTree(meta.end), meta, end: true } : { tree: this.store.readTree(meta.start), meta, end: false };
    } catch {
      return undefined;
    }
  }

  /** Scans the workspace (storing what changed) with the last tree as the stat cache. */
  async scan(signal?: AbortSignal): Promise<{ tree: StoredTree; added: number }> {
    const previous = this.#last?.tree ?? this.#newest()?.tree;
    const { tree, added } = await scanWorkspace({ root: this.#options.workspace, excludes: this.#options.excludes, objects: this.store.objects, previous, signal, rules: this.#rules });
    return { tree, added };
  }

  /** Records the workspace as it is now. Throws a CheckpointError (and stores nothing that counts) when it cannot. */
  begin(fields: BeginFields, scanned?: { tree: StoredTree; added: number }): Promise<CheckpointMeta> {
    return this.serial(async () => {
      try {
        const newest = this.#newest();
        const { tree, added } = scanned ?? (await this.scan());
        const outside = newest?.end ? changedPaths(newest.tree.entries, tree.entries) : undefined;
        const stored = this.store.writeTree({ ...tree, ...(outside ? { outside } : {}) });
        const turn = fields.turn ?? this.#nextTurn(fields.session);
        const meta = this.store.create({ kind: fields.kind, time: new Date().toISOString(), session: fields.session, turn, title: fields.title, bytes: added + stored.bytes, start: stored.file });
        this.#last = { tree, id: meta.id, end: false };
        this.#sweepIfDue(added + stored.bytes);
        return meta;
      } catch (error) {
        if (error instanceof CheckpointError) throw error;
        throw new CheckpointError(`checkpoint failed: ${describeWriteFailure(error, this.store.dir)}`, { cause: error });
      }
    });
  }

  /** Records what the turn (or rollback) changed. */
  finish(meta: CheckpointMeta): Promise<CheckpointMeta> {
    return this.serial(async () => {
      try {
        const start = this.#last?.id === meta.id ? this.#last.tree : this.store.readTree(meta.start);
        const { tree, added } = await this.scan();
        const stored = this.store.writeTree(tree);
        const done = this.store.finish(meta, stored.file, countChanges(start.entries, tree.entries), added + stored.bytes);
        this.#last = { tree, id: meta.id, end: true };
        this.#sweepIfDue(added + stored.bytes);
        return done;
      } catch (error) {
        throw new CheckpointError(`recording the turn's changes failed: ${describeWriteFailure(error, this.store.dir)}`, { cause: error });
      }
    });
  }

  #nextTurn(session: string): number {
    let last = this.#turns.get(session);
    if (last === undefined) last = Math.max(0, ...this.store.list().filter((m) => m.session === session).map((m) => m.turn));
    this.#turns.set(session, last + 1);
    return last + 1;
  }

  #sweepIfDue(bytes: number): void {
    let due: boolean;
    try {
      due = noteAdded(this.store, bytes, this.#options.limits);
    } catch {
      return;
    }
    if (!due) return;
    // After the turn's own work, on the same queue: never in the way of the prompt.
    setImmediate(() => {
      void this.serial(async () => {
        try {
          sweep(this.store, this.#options.limits);
        } catch (error) {
          this.#options.onSweepError?.(`checkpoints: cleaning up old checkpoints failed: ${errorMessage(error)}`);
        }
      });
    });
  }
}
