// What a sandbox shows of the host, for people (one stderr line) and for path translation.
import { PathMap } from "./path-map.js";
import type { SandboxSpec } from "./types.js";

/** One line for stderr: the workspace and every extra directory, with why it is there. */
export function describeMounts(spec: SandboxSpec, reasons: Readonly<Record<string, string>> = {}, copy = false): string {
  const extras = spec.extraDirectories.map((d) => `${d.hostPath} ${d.writable ? "rw" : "ro"}${reasons[d.hostPath] ? ` (${reasons[d.hostPath]})` : ""}`);
  return [copy ? `a copy of ${spec.workspace} at ${spec.runtimeRoot} (copy mode)` : `${spec.workspace} rw (workspace)`, ...extras].join(", ");
}

/** Host ⇄ runtime paths: the identity with the default same-path mounts. */
export function sandboxPathMap(spec: SandboxSpec): PathMap {
  const pairs = [{ host: spec.workspace, runtime: spec.runtimeRoot }, ...spec.extraDirectories.map((d) => ({ host: d.hostPath, runtime: d.runtimePath }))];
  return pairs.every((p) => p.host === p.runtime) ? PathMap.identity() : new PathMap(pairs);
}
