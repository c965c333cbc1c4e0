// What a sync says: the one-line report, conflicts, and progress while a long sync runs.
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { formatBytes, formatConflict, formatReport, Progress } from "../../src/sync/report.js";
import { recordingLog } from "./tree.js";

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

it("reports files and bytes, deletions, conflicts, skips and duration in one line", () => {
  expect(
    formatReport({ direction: "to-host", files: 3, bytes: 12_700, deletions: 1, conflicts: [{ path: "a", detail: "x" }], skipped: [{ path: "b", reason: "y" }, { path: "c", reason: "z" }], durationMs: 180 }),
  ).toBe("sync runtime → host: 3 entries (12.4 KB), 1 deleted, 1 conflict, 2 skipped in 180 ms");
  expect(formatReport({ direction: "to-runtime", files: 1, bytes: 5, deletions: 0, conflicts: [], skipped: [], durationMs: 7 })).toBe(
    "sync host → runtime: 1 entry (5 B), 0 deleted, 0 conflicts, 0 skipped in 7 ms",
  );
  expect(formatBytes(100 * 1024 * 1024)).toBe("100.0 MB");
  expect(formatConflict({ path: "src/a.ts", detail: "was changed in the runtime and changed on the host; the host copy stays", keptAs: "src/a.acp-sandbox-conflict.ts" })).toBe(
    "sync conflict: src/a.ts was changed in the runtime and changed on the host; the host copy stays; the runtime's version is kept as src/a.acp-sandbox-conflict.ts",
  );
});

it("says nothing for a short sync, and shows progress every two seconds once one takes longer than a second", () => {
  const log = recordingLog();
  const progress = new Progress(log, "sync host → runtime", () => ({ files: 10_000, bytes: 100 * 1024 * 1024 }));
  progress.add(1024);
  vi.advanceTimersByTime(999);
  expect(log.lines).toEqual([]);
  vi.advanceTimersByTime(1);
  expect(log.lines).toEqual(["info sync host → runtime: 1 of 10000 (1.0 KB of 100.0 MB)…"]);
  for (let i = 0; i < 4999; i++) progress.add(10 * 1024);
  vi.advanceTimersByTime(2000);
  expect(log.lines.at(-1)).toBe("info sync host → runtime: 5000 of 10000 (48.8 MB of 100.0 MB)…");
  progress.stop();
  vi.advanceTimersByTime(10_000);
  expect(log.lines).toHaveLength(2);
});
