// Three-way planning against the last sync's baseline: what travels, what is deleted, what conflicts.
import { parentsFirst, sameEntry } from "./entries.js";
import type { Baseline, BaselineEntry, ManifestEntry, SyncConflict, SyncSkip } from "./types.js";

type Side = ReadonlyMap<string, ManifestEntry>;

export interface ToRuntimePlan {
  /** Host entries to send, parents first. */
  readonly put: Array<{ rel: string; entry: ManifestEntry }>;
  /** Runtime paths to delete first (deepest first): deletions, and entries whose type changes. */
  readonly remove: string[];
  /** Changed on both sides: left alone until the next sync back resolves them. */
  readonly held: SyncConflict[];
  /** Paths already equal on both sides although the baseline says otherwise. */
  readonly settled: Array<{ rel: string; host: ManifestEntry; runtime: ManifestEntry | undefined }>;
}

/** Host → runtime: a host change travels when the runtime still holds the baseline version. */
export function planToRuntime(baseline: Baseline, host: Side, runtime: Side): ToRuntimePlan {
  const put: ToRuntimePlan["put"] = [];
  const remove: string[] = [];
  const held: SyncConflict[] = [];
  const settled: ToRuntimePlan["settled"] = [];
  for (const rel of new Set([...host.keys(), ...baseline.keys()])) {
    const h = host.get(rel);
    const b = baseline.get(rel);
    if (sameEntry(h, b)) continue;
    const r = runtime.get(rel);
    if (sameEntry(r, b)) {
      if (r && (!h || h.type !== r.type || r.type === "symlink")) remove.push(rel);
      if (h) put.push({ rel, entry: h });
    } else if (sameEntry(r, h)) {
      if (h) settled.push({ rel, host: h, runtime: r });
    } else {
      held.push({ path: rel, detail: "changed on the host and in the runtime since the last sync; resolved when the runtime's changes come back" });
    }
  }
  const order = parentsFirst(put.map((p) => p.rel));
  const byRel = new Map(put.map((p) => [p.rel, p]));
  return { put: order.map((rel) => byRel.get(rel)!), remove: parentsFirst(remove).reverse(), held, settled };
}

/** One runtime change, decided against the host's current state. */
export type ToHostStep =
  | { readonly kind: "write"; readonly rel: string; readonly runtime: ManifestEntry }
  | { readonly kind: "delete"; readonly rel: string }
  | { readonly kind: "settled"; readonly rel: string; readonly runtime: ManifestEntry | undefined; readonly host: ManifestEntry | undefined }
  | { readonly kind: "conflict"; readonly rel: string; readonly runtime: ManifestEntry | undefined; readonly detail: string }
  | { readonly kind: "skip"; readonly skip: SyncSkip };

/** Paths the runtime changed since the baseline. */
export function runtimeChanges(baseline: Baseline, runtime: Side): string[] {
  const changed: string[] = [];
  for (const rel of new Set([...runtime.keys(), ...baseline.keys()])) {
    if (!sameEntry(runtime.get(rel), baseline.get(rel))) changed.push(rel);
  }
  return parentsFirst(changed);
}

/**
 * Runtime → host for the changed paths: applied where the host still holds the baseline version; a conflict
 * where the host changed too (the host copy stays). `hostNow` holds the host's state of each changed path
 * (undefined: absent; a skip: something sync cannot compare, which counts as changed).
 */
export function planToHost(
  baseline: Baseline,
  runtime: Side,
  changed: readonly string[],
  hostNow: ReadonlyMap<string, ManifestEntry | SyncSkip | undefined>,
  protectedBy: (rel: string) => string | undefined,
): ToHostStep[] {
  const steps: ToHostStep[] = [];
  for (const rel of changed) {
    const r = runtime.get(rel);
    const b: BaselineEntry | undefined = baseline.get(rel);
    const rule = protectedBy(rel);
    if (rule) {
      steps.push({ kind: "skip", skip: { path: rel, reason: `protected (${rule}): never brought back to the host` } });
      continue;
    }
    const now = hostNow.get(rel);
    const h = now && "reason" in now ? undefined : now;
    const hostComparable = !(now && "reason" in now);
    if (hostComparable && sameEntry(h, b)) {
      steps.push(r ? { kind: "write", rel, runtime: r } : { kind: "delete", rel });
    } else if (hostComparable && sameEntry(h, r)) {
      steps.push({ kind: "settled", rel, runtime: r, host: h });
    } else {
      const what = !r ? "deleted in the runtime" : "changed in the runtime";
      const hostWhat = !hostComparable ? "is not a file sync can compare on the host" : !h ? "deleted on the host" : "changed on the host";
      steps.push({ kind: "conflict", rel, runtime: r, detail: `was ${what} and ${hostWhat}; the host copy stays` });
    }
  }
  return steps;
}
