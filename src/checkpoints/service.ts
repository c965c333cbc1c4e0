// What `checkpoints` and `rollback` do, for the command line and the bridge alike: same checks, same words.
import { CheckpointError } from "../errors.js";
import { formatList, formatRollback } from "./format.js";
import type { Recorder } from "./recorder.js";
import { rollback, type RollbackOptions, type RollbackReport } from "./rollback.js";
import type { CheckpointStore } from "./store.js";
import type { CheckpointMeta } from "./types.js";

export interface Listing {
  readonly workspace: string;
  readonly checkpoints: readonly CheckpointMeta[];
  readonly text: string;
}

export function listCheckpoints(store: CheckpointStore): Listing {
  const checkpoints = store.list();
  return { workspace: store.workspace, checkpoints, text: formatList(store.workspace, checkpoints) };
}

export interface RollbackDone {
  readonly report: RollbackReport;
  readonly text: string;
}

/** `busy`: why a rollback cannot run now (a turn is running), checked by the caller who knows. */
export async function runRollback(recorder: Recorder, options: RollbackOptions, busy?: string): Promise<RollbackDone> {
  if (busy && !options.dryRun) throw new CheckpointError(busy, { kind: "busy" });
  const report = await rollback(recorder, options);
  return { report, text: formatRollback(report) };
}

/** The JSON the extension method and `--json` give for a rollback. */
export function rollbackJson(done: RollbackDone): Record<string, unknown> {
  const { report } = done;
  const action = (s: RollbackReport["steps"][number]) => (!s.to ? "delete" : !s.from ? "restore" : "revert");
  return {
    rolledBackTo: report.target.id,
    dryRun: report.dryRun,
    undo: report.undo?.id ?? null,
    changed: report.steps.map((s) => ({ path: s.rel, action: action(s) })),
    conflicts: report.conflicts.map((s) => s.rel),
    forced: report.forced,
    leftAlone: report.leftAlone.map((l) => ({ path: l.rel, reason: l.reason })),
    text: done.text,
  };
}

/** The JSON of one checkpoint, for `--json` and the extension method. */
export function checkpointJson(meta: CheckpointMeta): Record<string, unknown> {
  return { id: meta.id, kind: meta.kind, time: meta.time, session: meta.session, turn: meta.turn, title: meta.title, changes: meta.changes ?? null, bytes: meta.bytes };
}
