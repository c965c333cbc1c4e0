// Finds a file's real place and pins its directory by descriptor, so no symlink swapped in later can redirect the I/O.
//
// Linux technique: open the parent directory, read the real path of the open descriptor from /proc/self/fd/N,
// check it lies in an allowed root, then work on `/proc/self/fd/N/<leaf>`: the kernel resolves that through the
// directory already opened, never through the path again. Leaf symlinks are followed by hand, each hop checked.
import { constants, type Stats } from "node:fs";
import { lstat, mkdir, open, readlink, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { FileIoError, NotFoundError, PathRefusedError } from "../errors.js";
import { type AllowedRoot, describeRoots, rootOf } from "../paths.js";

const MAX_LINK_HOPS = 40;
const DIR_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY;

/** A file's place with its parent directory held open and verified. Close it when done. */
export interface Pinned {
  readonly kind: "pinned";
  readonly dir: FileHandle;
  /** The real path of the directory, read back from the open descriptor. */
  readonly dirReal: string;
  readonly leaf: string;
  /** `dirReal/leaf`: where the I/O lands. */
  readonly real: string;
  readonly root: AllowedRoot;
  /** The leaf as it is now (lstat), undefined when it does not exist. */
  readonly stat: Stats | undefined;
  /** `/proc/self/fd/N/<name>`: a name in the pinned directory. */
  at(name: string): string;
  close(): Promise<void>;
}

/** Without `create`, a file whose parent directories do not exist yet: where it would be. */
export interface Unborn {
  readonly kind: "unborn";
  readonly real: string;
  readonly root: AllowedRoot;
}

export interface LocateOptions {
  /** Create missing parent directories (one level at a time, each checked). */
  readonly create: boolean;
  /** The path as the agent sent it, for messages. */
  readonly requested: string;
}

function errno(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function fdPath(handle: FileHandle, name?: string): string {
  return name === undefined ? `/proc/self/fd/${handle.fd}` : `/proc/self/fd/${handle.fd}/${name}`;
}

async function realOf(handle: FileHandle): Promise<string> {
  try {
    return await readlink(fdPath(handle));
  } catch (error) {
    throw new FileIoError(`acp-sandbox: cannot verify where a directory lies (/proc/self/fd unreadable: ${errno(error) ?? String(error)}); is /proc mounted?`, {}, { cause: error });
  }
}

/** `dir`: the directory as it was opened; `real`: where it really is. */
function outside(requested: string, dir: string, real: string, roots: readonly AllowedRoot[], via: string | undefined): PathRefusedError {
  const how = via ? ` (through the symbolic link ${via})` : real === dir ? "" : ` (the directory ${dir} is really ${real})`;
  return new PathRefusedError(`acp-sandbox: ${requested} lies outside the allowed directories${how}; allowed: ${describeRoots(roots)}`, {
    path: requested,
    resolved: real,
    reason: via ? "symlink-outside" : "outside",
  });
}

/** Opens `dir` (following links), verifies where it really is; `undefined` when it does not exist. */
async function openVerified(dir: string, requested: string, roots: readonly AllowedRoot[], via: string | undefined): Promise<{ handle: FileHandle; real: string; root: AllowedRoot } | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(dir, DIR_FLAGS);
  } catch (error) {
    const code = errno(error);
    if (code === "ENOENT") return undefined;
    if (code === "ENOTDIR") throw new PathRefusedError(`acp-sandbox: ${requested}: a parent (${dir}) is not a directory`, { path: requested, reason: "not-a-directory" });
    if (code === "EACCES") throw new PathRefusedError(`acp-sandbox: ${requested}: permission denied on ${dir}`, { path: requested, reason: "permission" });
    if (code === "ELOOP") throw new PathRefusedError(`acp-sandbox: ${requested}: too many symbolic links`, { path: requested, reason: "link-loop" });
    throw new FileIoError(`acp-sandbox: cannot open ${dir}: ${code ?? String(error)}`, { path: requested }, { cause: error });
  }
  const real = await realOf(handle);
  const root = rootOf(real, roots);
  if (!root) {
    await handle.close();
    throw outside(requested, dir, real, roots, via);
  }
  return { handle, real, root };
}

/** Creates the missing directories under an opened ancestor, one level at a time, never through a link. */
async function descend(start: { handle: FileHandle; real: string }, names: readonly string[], requested: string, roots: readonly AllowedRoot[]): Promise<{ handle: FileHandle; real: string; root: AllowedRoot }> {
  let handle = start.handle;
  let real = start.real;
  for (const name of names) {
    try {
      await mkdir(fdPath(handle, name), { mode: 0o777 });
    } catch (error) {
      if (errno(error) !== "EEXIST") {
        await handle.close();
        throw new FileIoError(`acp-sandbox: cannot create the directory ${path.join(real, name)} for ${requested}: ${errno(error) ?? String(error)}`, { path: requested }, { cause: error });
      }
    }
    let child: FileHandle;
    try {
      child = await open(fdPath(handle, name), DIR_FLAGS | constants.O_NOFOLLOW);
    } catch (error) {
      await handle.close();
      if (errno(error) === "ELOOP" || errno(error) === "ENOTDIR") {
        throw new PathRefusedError(`acp-sandbox: ${requested}: ${path.join(real, name)} was replaced by a link or a file while the directories were created`, { path: requested, reason: "swapped" });
      }
      throw new FileIoError(`acp-sandbox: cannot open ${path.join(real, name)}: ${errno(error) ?? String(error)}`, { path: requested }, { cause: error });
    }
    await handle.close();
    handle = child;
    real = await realOf(handle);
  }
  const root = rootOf(real, roots);
  if (!root) {
    await handle.close();
    throw outside(requested, real, real, roots, undefined);
  }
  return { handle, real, root };
}

/** Opens the parent directory of a file: directly, or through its longest existing ancestor. */
async function openParent(dir: string, options: LocateOptions, roots: readonly AllowedRoot[], via: string | undefined): Promise<{ handle: FileHandle; real: string; root: AllowedRoot } | { unborn: string; root: AllowedRoot }> {
  const direct = await openVerified(dir, options.requested, roots, via);
  if (direct) return direct;
  const missing: string[] = [];
  let ancestor = dir;
  for (;;) {
    missing.unshift(path.basename(ancestor));
    const up = path.dirname(ancestor);
    if (up === ancestor) throw new NotFoundError(`acp-sandbox: ${options.requested}: no part of the path exists`, { path: options.requested });
    ancestor = up;
    const opened = await openVerified(ancestor, options.requested, roots, via);
    if (!opened) continue;
    if (!options.create) {
      await opened.handle.close();
      return { unborn: path.join(opened.real, ...missing), root: opened.root };
    }
    return descend(opened, missing, options.requested, roots);
  }
}

/**
 * Locates `hostPath` (absolute, normalized) inside `roots`. Leaf symlinks are followed one hop at a time and
 * every hop is checked, so a link (even a dangling one) leading out is refused before anything is created.
 */
export async function locate(hostPath: string, roots: readonly AllowedRoot[], options: LocateOptions): Promise<Pinned | Unborn> {
  let current = hostPath;
  let via: string | undefined;
  for (let hops = 0; ; hops++) {
    if (hops > MAX_LINK_HOPS) throw new PathRefusedError(`acp-sandbox: ${options.requested}: too many symbolic links`, { path: options.requested, reason: "link-loop" });
    const leaf = path.basename(current);
    if (current === "/" || leaf === "") throw new PathRefusedError(`acp-sandbox: ${options.requested} is a directory, not a file`, { path: options.requested, reason: "directory" });
    const parent = await openParent(path.dirname(current), options, roots, via);
    if ("unborn" in parent) return { kind: "unborn", real: path.join(parent.unborn, leaf), root: parent.root };
    const { handle, real: dirReal, root } = parent;
    let stat: Stats | undefined;
    try {
      stat = await lstat(fdPath(handle, leaf));
    } catch (error) {
      if (errno(error) !== "ENOENT") {
        await handle.close();
        throw new FileIoError(`acp-sandbox: cannot stat ${options.requested}: ${errno(error) ?? String(error)}`, { path: options.requested }, { cause: error });
      }
    }
    if (stat?.isSymbolicLink()) {
      let target: string | undefined;
      try {
        target = await readlink(fdPath(handle, leaf));
      } catch (error) {
        // Replaced (by a file, or removed) since the lstat: look again.
        if (errno(error) !== "EINVAL" && errno(error) !== "ENOENT") throw new FileIoError(`acp-sandbox: cannot read the link ${options.requested}: ${errno(error) ?? String(error)}`, { path: options.requested }, { cause: error });
      } finally {
        await handle.close();
      }
      if (target === undefined) continue;
      via = path.join(dirReal, leaf);
      current = path.resolve(dirReal, target);
      continue;
    }
    return {
      kind: "pinned",
      dir: handle,
      dirReal,
      leaf,
      real: path.join(dirReal, leaf),
      root,
      stat,
      at: (name) => fdPath(handle, name),
      close: () => handle.close(),
    };
  }
}

/** A directory (a terminal's cwd) inside the roots: its real path, checked through the opened descriptor. */
export async function locateDirectory(hostPath: string, roots: readonly AllowedRoot[], requested: string): Promise<{ real: string; root: AllowedRoot }> {
  let opened;
  try {
    opened = await openVerified(hostPath, requested, roots, undefined);
  } catch (error) {
    if (error instanceof PathRefusedError && error.data["reason"] === "not-a-directory") {
      throw new PathRefusedError(`acp-sandbox: ${requested} is not a directory`, { path: requested, reason: "not-a-directory" });
    }
    throw error;
  }
  if (!opened) throw new NotFoundError(`acp-sandbox: the directory ${requested} does not exist`, { path: requested });
  await opened.handle.close();
  return { real: opened.real, root: opened.root };
}
