// Host → runtime: scan the host, plan against the baseline and the runtime, delete, then stream one tar in.
import type { Counts, SyncRun } from "./context.js";
import { runtimeManifest } from "./context.js";
import { toBaseline } from "./entries.js";
import { packHost } from "./pack.js";
import { planToRuntime } from "./plan.js";
import { Progress } from "./report.js";
import { hashMissing, scanHost } from "./scan.js";

/** Returns what moved, and how many paths were held back because the runtime changed them too. */
export async function syncToRuntime(run: SyncRun, dirty: ReadonlySet<string> | undefined): Promise<Counts & { held: number }> {
  const { workspace, runtime, excludes, baseline, next, skipped, log, owner, signal } = run;
  const scanning = new Progress(log, "sync host → runtime: scanning", () => undefined);
  // The runtime lists its side (in the container) while the host is scanned.
  const listing = runtimeManifest(run, false);
  listing.catch(() => {});
  let scan;
  try {
    // Files new to the baseline are hashed only if the runtime has them too (to compare); the rest on their way.
    scan = await scanHost({ root: workspace, excludes, baseline, lazy: true, ...(dirty ? { dirty } : {}), ...(signal ? { signal } : {}), onFile: scanning.add });
  } finally {
    scanning.stop();
  }
  skipped.push(...scan.skipped);
  const remote = await listing;
  await hashMissing(workspace, scan.manifest, [...remote.keys()].filter((rel) => remote.get(rel)?.type === "file"), signal);
  const plan = planToRuntime(baseline, scan.manifest, remote);
  const counts = { files: 0, bytes: 0, deletions: 0 };

  const kept = new Set(plan.remove.length > 0 ? await runtime.remove(plan.remove, signal) : []);
  for (const rel of plan.remove) {
    if (kept.has(rel)) skipped.push({ path: rel, reason: "directory not empty in the runtime (it holds files that do not travel); left in place" });
    else if (!scan.manifest.has(rel)) {
      next.delete(rel);
      counts.deletions += 1;
    }
  }

  const put = plan.put.filter((item) => !kept.has(item.rel));
  if (put.length > 0) {
    const total = { files: put.length, bytes: put.reduce((sum, p) => sum + p.entry.size, 0) };
    const progress = new Progress(log, "sync host → runtime", () => total);
    try {
      const packed = packHost(workspace, runtime.root, put, owner, progress.add);
      await runtime.put(packed.tar, signal);
      const sent = await packed.sent;
      for (const { rel, entry } of put) {
        const s = sent.get(rel);
        // A file deleted since the scan was not sent: the next sync sees it gone.
        if (entry.type === "file" && !s) continue;
        const base = toBaseline(s ? { ...entry, hash: s.hash, size: s.size } : entry, "host");
        // A file edited between scan and send: its host stat no longer describes what was sent.
        const hostMtimeMs = s?.changed ? undefined : base.hostMtimeMs;
        next.set(rel, { ...base, hostMtimeMs, runtimeMtimeMs: s?.mtimeMs });
        counts.files += 1;
        counts.bytes += s?.size ?? 0;
      }
    } finally {
      progress.stop();
    }
  }
  for (const { rel, host, runtime: r } of plan.settled) next.set(rel, { ...toBaseline(host, "host"), runtimeMtimeMs: r?.mtimeMs });
  for (const held of plan.held) log.debug(`sync: ${held.path} ${held.detail}`);
  return { ...counts, held: plan.held.length };
}
