// Where a path the agent names (absolute, or relative to a working directory) lies on the host, contained like fs requests.
import path from "node:path";
import { checkRequestPath } from "../paths.js";
import type { SessionView, ToolHostState } from "../state.js";
import { locate } from "./locate.js";
import { resolveRuntime } from "./runtime-files.js";

export interface Place {
  /** The real host path (symbolic links resolved). */
  readonly real: string;
  /** The allowed directory holding it. */
  readonly root: string;
  readonly writable: boolean;
}

/** Throws the ToolHost's PathRefusedError (outside, `..`, links leading out) as fs requests do. `cwd` is a runtime path. */
export async function placeOf(state: ToolHostState, session: SessionView, raw: string, cwd?: string): Promise<Place> {
  const sandbox = state.sandbox();
  const runtimeCwd = cwd ?? sandbox.pathMap.toRuntime(session.cwd) ?? session.cwd;
  const runtimePath = path.isAbsolute(raw) ? raw : path.resolve(runtimeCwd, raw);
  const hostPath = checkRequestPath(runtimePath, session.roots, "path", (p) => sandbox.pathMap.toHost(p));
  if (sandbox.files) {
    const runtime = await resolveRuntime(sandbox.files, sandbox.pathMap, path.resolve(runtimePath), session.roots, raw);
    return { real: runtime.hostReal, root: runtime.root.path, writable: runtime.root.writable };
  }
  const found = await locate(hostPath, session.roots, { create: false, requested: raw });
  if (found.kind === "pinned") await found.close();
  return { real: found.real, root: found.root.path, writable: found.root.writable };
}
