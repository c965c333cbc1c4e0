// Copy mode: the agent's files live in the runtime's own copy, reached through the sandbox's RuntimeFiles, not the host fs.
import path from "node:path";
import type { PathMap } from "../../src/sandbox/path-map.js";
import type { FileStat, RuntimeFiles } from "../../src/sandbox/types.js";
import { FileContentError, FileIoError, NotFoundError, PathRefusedError } from "../errors.js";
import { type AllowedRoot, describeRoots, rootOf } from "../paths.js";
import { decodeText, sliceLines } from "./text.js";

const MAX_LINK_HOPS = 40;

export interface RuntimeTarget {
  /** Where the file really is in the runtime. */
  readonly runtimeReal: string;
  /** The same in the host's view: what containment, protection and rules are checked on. */
  readonly hostReal: string;
  readonly root: AllowedRoot;
  readonly stat: FileStat | undefined;
}

function io(requested: string, what: string, error: unknown): FileIoError {
  return new FileIoError(`acp-sandbox: cannot ${what} ${requested} in the sandbox: ${error instanceof Error ? error.message : String(error)}`, { path: requested }, { cause: error });
}

/** realpath of the longest existing prefix, with the rest appended (the rest does not exist, so holds no link). */
async function realOfPrefix(files: RuntimeFiles, p: string, requested: string): Promise<string> {
  const rest: string[] = [];
  let current = p;
  for (;;) {
    if ((await files.stat(current).catch((error: unknown) => Promise.reject(io(requested, "inspect", error)))) !== undefined) {
      const real = await files.realpath(current).catch((error: unknown) => Promise.reject(io(requested, "resolve", error)));
      return path.posix.join(real, ...rest.reverse());
    }
    const up = path.posix.dirname(current);
    if (up === current) return p;
    rest.push(path.posix.basename(current));
    current = up;
  }
}

/** Resolves a runtime path (absolute, normalized) and checks where it really is against the roots (host paths). */
export async function resolveRuntime(files: RuntimeFiles, map: PathMap, runtimePath: string, roots: readonly AllowedRoot[], requested: string): Promise<RuntimeTarget> {
  let current = runtimePath;
  for (let hops = 0; hops <= MAX_LINK_HOPS; hops++) {
    const stat = await files.stat(current).catch((error: unknown) => Promise.reject(io(requested, "inspect", error)));
    if (stat?.type === "symlink") {
      let target: string;
      try {
        target = await files.realpath(current);
      } catch {
        throw new PathRefusedError(`acp-sandbox: ${requested} is a symbolic link whose target does not exist; in copy mode such links are refused`, { path: requested, reason: "dangling-link" });
      }
      current = target;
      continue;
    }
    const runtimeReal = stat ? await files.realpath(current).catch((error: unknown) => Promise.reject(io(requested, "resolve", error))) : await realOfPrefix(files, current, requested);
    const hostReal = map.toHost(runtimeReal);
    const root = hostReal === undefined ? undefined : rootOf(hostReal, roots);
    if (hostReal === undefined || !root) {
      throw new PathRefusedError(`acp-sandbox: ${requested} lies outside the allowed directories (it resolves to ${runtimeReal} in the sandbox); allowed: ${describeRoots(roots)}`, {
        path: requested,
        resolved: runtimeReal,
        reason: "outside",
      });
    }
    return { runtimeReal, hostReal, root, stat };
  }
  throw new PathRefusedError(`acp-sandbox: ${requested}: too many symbolic links`, { path: requested, reason: "link-loop" });
}

export async function readRuntimeText(files: RuntimeFiles, target: RuntimeTarget, requested: string, options: { line?: number | undefined; limit?: number | undefined; maxBytes: number }): Promise<string> {
  if (!target.stat) throw new NotFoundError(`acp-sandbox: ${requested} does not exist`, { path: requested });
  if (target.stat.type === "directory") throw new PathRefusedError(`acp-sandbox: ${requested} is a directory, not a file`, { path: requested, reason: "directory" });
  if (target.stat.type !== "file") throw new FileContentError(`acp-sandbox: ${requested} is not a regular file`, { path: requested, reason: "not-a-file" });
  if (target.stat.size > options.maxBytes) {
    throw new FileContentError(`acp-sandbox: ${requested} is too large to read (${target.stat.size} bytes; the limit is ${options.maxBytes})`, { path: requested, reason: "too-large", size: target.stat.size, limit: options.maxBytes });
  }
  const bytes = await files.readFile(target.runtimeReal).catch((error: unknown) => Promise.reject(io(requested, "read", error)));
  return sliceLines(decodeText(bytes, requested), options.line, options.limit);
}

/**
 * Writes through RuntimeFiles, keeping an existing file's mode. Missing parent directories are made with
 * `mkdirs` (a `mkdir -p` inside the sandbox), and the result is checked again before writing.
 */
export async function writeRuntimeText(
  files: RuntimeFiles,
  map: PathMap,
  target: RuntimeTarget,
  requested: string,
  content: string,
  roots: readonly AllowedRoot[],
  mkdirs: (runtimeDir: string) => Promise<void>,
): Promise<void> {
  if (target.stat?.type === "directory") throw new PathRefusedError(`acp-sandbox: ${requested} is a directory, not a file`, { path: requested, reason: "directory" });
  if (target.stat && target.stat.type !== "file") throw new PathRefusedError(`acp-sandbox: ${requested} is not a regular file`, { path: requested, reason: "not-a-file" });
  if (!target.root.writable) throw new PathRefusedError(`acp-sandbox: ${requested} lies in ${target.root.path}, which is read-only`, { path: requested, reason: "read-only" });
  const dir = path.posix.dirname(target.runtimeReal);
  if (!target.stat && (await files.stat(dir).catch(() => undefined)) === undefined) {
    await mkdirs(dir).catch((error: unknown) => Promise.reject(io(requested, "create the directories for", error)));
    const again = await resolveRuntime(files, map, target.runtimeReal, roots, requested);
    if (again.runtimeReal !== target.runtimeReal) {
      throw new PathRefusedError(`acp-sandbox: ${requested} changed while it was being checked (it now leads to ${again.runtimeReal})`, { path: requested, reason: "swapped" });
    }
  }
  await files
    .writeFile(target.runtimeReal, Buffer.from(content, "utf8"), { mode: target.stat?.mode ?? 0o644 })
    .catch((error: unknown) => Promise.reject(io(requested, "write", error)));
}
