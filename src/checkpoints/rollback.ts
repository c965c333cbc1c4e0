// A rollback: pick the checkpoint, compare, check every object, checkpoint the present, then restore.
import { CheckpointError } from "../errors.js";
import { applySteps, damagedObjects } from "./apply.js";
import { changedPaths } from "./diff.js";
import { type LeftAlone, planRollback, type RollbackStep } from "./plan.js";
import type { Recorder } from "./recorder.js";
import { scanWorkspace } from "./scan.js";
import type { CheckpointStore } from "./store.js";
import type { CheckpointMeta, StoredTree } from "./types.js";

export interface RollbackOptions {
  /** The checkpoint to go back to; default: the newest turn's. */
  readonly to?: number | undefined;
  readonly dryRun?: boolean;
  /** Also overwrite paths someone else changed since the checkpoint. */
  readonly force?: boolean;
  /** Who asks (a session id, or `cli`): named in the rollback's own checkpoint. */
  readonly session: string;
}

export interface RollbackReport {
  readonly target: CheckpointMeta;
  readonly dryRun: boolean;
  /** The checkpoint taken of the workspace just before the rollback (undo it with `--to` this id). */
  readonly undo: CheckpointMeta | undefined;
  readonly steps: readonly RollbackStep[];
  readonly conflicts: readonly RollbackStep[];
  /** Whether conflicts were overwritten (`--force`). */
  readonly forced: boolean;
  readonly leftAlone: readonly LeftAlone[];
  /** Checkpoints after the target whose end was never recorded (a bridge stopped mid-turn). */
  readonly unfinished: readonly number[];
}

/** The checkpoint `to` names, or the newest turn's; an unknown id names the ones that exist. */
export function pickCheckpoint(store: CheckpointStore, to: number | undefined): CheckpointMeta {
  const all = store.list();
  if (all.length === 0) throw new CheckpointError(`no checkpoints for ${store.workspace} yet; one is taken before each turn the bridge forwards`, { kind: "empty" });
  if (to === undefined) {
    const turn = all.find((m) => m.kind === "turn");
    if (!turn) throw new CheckpointError(`no turn checkpoints for ${store.workspace}; pick one with --to (${all.map((m) => m.id).join(", ")})`, { kind: "unknown-id" });
    return turn;
  }
  const found = all.find((m) => m.id === to);
  if (!found) throw new CheckpointError(`no checkpoint ${to} for ${store.workspace}; the ones that exist are ${all.map((m) => m.id).join(", ")}`, { kind: "unknown-id" });
  return found;
}

/** Paths changed by someone other than the agent after `target`: between later turns, and since the newest one ended. */
function outsideChanges(store: CheckpointStore, target: CheckpointMeta, current: StoredTree): { outside: Set<string>; unfinished: number[] } {
  const outside = new Set<string>();
  const unfinished: number[] = [];
  const later = store.list().filter((m) => m.id > target.id);
  for (const meta of later) {
    if (!meta.end) unfinished.push(meta.id);
    for (const rel of store.readTree(meta.start).outside ?? []) outside.add(rel);
  }
  const newest = later[0] ?? target;
  if (newest.end) for (const rel of changedPaths(store.readTree(newest.end).entries, current.entries)) outside.add(rel);
  else if (newest === target) unfinished.push(target.id);
  return { outside, unfinished };
}

function readTarget(store: CheckpointStore, meta: CheckpointMeta): StoredTree {
  try {
    return store.readTree(meta.start);
  } catch (error) {
    throw new CheckpointError(`checkpoint ${meta.id} is damaged: its tree cannot be read (${(error as Error).message}); nothing was changed. Pick another with --to`, { kind: "damaged" });
  }
}

export async function rollback(recorder: Recorder, options: RollbackOptions): Promise<RollbackReport> {
  const { store } = recorder;
  const target = pickCheckpoint(store, options.to);
  const targetTree = readTarget(store, target);
  const force = options.force === true;
  // A dry run only hashes; a real one stores what it reads (the checkpoint of the present needs it).
  const scanned = options.dryRun
    ? { tree: (await scanWorkspace({ root: store.workspace, excludes: targetTree.excludes })).tree, added: 0 }
    : await recorder.scan();
  let outside: Set<string>;
  let unfinished: number[];
  try {
    ({ outside, unfinished } = outsideChanges(store, target, scanned.tree));
  } catch (error) {
    throw new CheckpointError(`a checkpoint after ${target.id} is damaged (${(error as Error).message}); nothing was changed`, { kind: "damaged" });
  }
  const plan = planRollback(scanned.tree.entries, targetTree.entries, outside, force);
  const damaged = damagedObjects(plan.steps, store.objects);
  if (damaged.length > 0) {
    const shown = damaged.slice(0, 5).map((d) => `${d.rel} (${d.state})`).join(", ");
    throw new CheckpointError(
      `checkpoint ${target.id} is damaged: ${damaged.length} stored file(s) missing or corrupt: ${shown}${damaged.length > 5 ? ", ..." : ""}; nothing was changed. Pick another with --to`,
      { kind: "damaged" },
    );
  }
  const base = { target, steps: plan.steps, conflicts: plan.conflicts, forced: force, unfinished };
  if (options.dryRun) return { ...base, dryRun: true, undo: undefined, leftAlone: plan.leftAlone };
  const undo = await recorder.begin({ kind: "rollback", session: options.session, title: `rollback to ${target.id}` }, scanned);
  const applied = await recorder.serial(() => applySteps(store.workspace, plan.steps, store.objects));
  const finished = await recorder.finish(undo);
  return { ...base, dryRun: false, undo: finished, leftAlone: [...plan.leftAlone, ...applied.leftAlone] };
}
