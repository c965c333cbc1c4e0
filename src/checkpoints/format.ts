// The words of `checkpoints` and `rollback`: the same text on the command line and in the editor.
import type { RollbackStep } from "./plan.js";
import type { RollbackReport } from "./rollback.js";
import type { CheckpointMeta } from "./types.js";

function when(iso: string): string {
  return iso.replace("T", " ").replace(/\.\d+Z$/, "Z");
}

function changes(meta: CheckpointMeta): string {
  if (!meta.changes) return "(turn not finished)";
  const { added, modified, deleted } = meta.changes;
  return `+${added} ~${modified} -${deleted}`;
}

/** The checkpoint's one-line title (first line of the prompt, at most 60 characters). */
export function firstLine(text: string): string {
  const line = text.split("\n").find((l) => l.trim() !== "")?.trim() ?? "";
  return line.length > 60 ? `${line.slice(0, 57)}...` : line;
}

/** One line per checkpoint, newest first: id, time, session, turn, title, what it changed. */
export function formatList(workspace: string, metas: readonly CheckpointMeta[]): string {
  if (metas.length === 0) return `no checkpoints for ${workspace} yet\n`;
  const rows = metas.map((m) => [String(m.id), when(m.time), m.session, m.kind === "turn" ? `turn ${m.turn}` : "rollback", changes(m), JSON.stringify(m.title)]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  "));
  return `checkpoints of ${workspace} (newest first; +added ~modified -deleted):\n${lines.join("\n")}\n`;
}

function describeStep(step: RollbackStep): string {
  const { from, to } = step;
  if (!to) return `delete   ${step.rel}`;
  if (!from) return `restore  ${step.rel}`;
  if (from.type !== to.type) return `replace  ${step.rel} (${from.type} → ${to.type})`;
  if (to.type === "file" && from.hash === to.hash) return `chmod    ${step.rel} (${from.mode.toString(8)} → ${to.mode.toString(8)})`;
  if (to.type === "dir") return `chmod    ${step.rel}/ (${from.mode.toString(8)} → ${to.mode.toString(8)})`;
  return `revert   ${step.rel}`;
}

/** What a rollback changed (or would change), its conflicts, and how to undo it. */
export function formatRollback(report: RollbackReport): string {
  const { target } = report;
  const lines: string[] = [];
  const head = `checkpoint ${target.id} (${when(target.time)}, ${target.kind === "turn" ? `before turn ${target.turn} of ${target.session}` : target.title})`;
  lines.push(report.dryRun ? `dry run: rolling back to ${head} would change ${report.steps.length} path(s)` : `rolled back to ${head}: ${report.steps.length} path(s) changed`);
  for (const step of report.steps) lines.push(`  ${describeStep(step)}`);
  if (report.conflicts.length > 0) {
    lines.push(
      report.forced
        ? `${report.conflicts.length} conflict(s) overwritten (--force): changed on the host after the checkpoint by someone other than the agent:`
        : `${report.conflicts.length} conflict(s) left alone: changed on the host after the checkpoint by someone other than the agent (--force overwrites them):`,
    );
    for (const step of report.conflicts) lines.push(`  ${step.rel}`);
  }
  for (const left of report.leftAlone) lines.push(`  left alone: ${left.rel}: ${left.reason}`);
  if (report.unfinished.length > 0) {
    lines.push(`note: checkpoint(s) ${report.unfinished.join(", ")} have no end record (the bridge stopped mid-turn); changes since are counted as the agent's`);
  }
  if (report.undo) lines.push(`undo this rollback with: acp-sandbox rollback --to ${report.undo.id}   (or /rollback ${report.undo.id})`);
  lines.push("not restored: running processes, anything outside the workspace, and excluded paths (.gitignore, the built-in defaults, sync.exclude)");
  return lines.join("\n") + "\n";
}
