// The shapes workspace sync works with: manifests, change sets, reports, and the runtime it talks to.
import type { Readable } from "node:stream";

export type EntryType = "file" | "dir" | "symlink";

/** One path of a workspace, relative (POSIX, no leading `./`), as one side sees it. */
export interface ManifestEntry {
  readonly type: EntryType;
  /** Permission bits (`mode & 0o7777`). */
  readonly mode: number;
  readonly size: number;
  readonly mtimeMs: number;
  /** sha256 (hex) of a file's content. */
  readonly hash?: string;
  /** A symlink's target, as stored in the link. */
  readonly target?: string;
}

/** Relative path → entry. The workspace root itself is never an entry. */
export type Manifest = Map<string, ManifestEntry>;

/** What the last sync left equal on both sides, with each side's stat to skip rehashing unchanged files. */
export interface BaselineEntry {
  readonly type: EntryType;
  readonly mode: number;
  readonly size: number;
  readonly hash?: string;
  readonly target?: string;
  readonly hostMtimeMs?: number;
  readonly runtimeMtimeMs?: number;
}

export type Baseline = Map<string, BaselineEntry>;

export type Direction = "to-runtime" | "to-host";

/** A path that did not travel, and why. */
export interface SyncSkip {
  readonly path: string;
  readonly reason: string;
}

/** A path changed on both sides since the last sync. */
export interface SyncConflict {
  readonly path: string;
  /** Where the runtime's version was kept on the host, when it was a file (relative path). */
  readonly keptAs?: string;
  readonly detail: string;
}

export interface SyncReport {
  readonly direction: Direction;
  /** Files, directories and links written on the receiving side. */
  readonly files: number;
  readonly bytes: number;
  readonly deletions: number;
  readonly conflicts: readonly SyncConflict[];
  readonly skipped: readonly SyncSkip[];
  readonly durationMs: number;
}

/** Per-path stat cache handed to the runtime so it hashes only what changed. */
export type RuntimeStatCache = Record<string, readonly [size: number, mtimeMs: number, hash: string]>;

/**
 * The runtime's copy of the workspace, as sync needs it. Paths are relative to `root`.
 * Implementations: Docker (dockerode putArchive/getArchive/exec).
 */
export interface SyncRuntime {
  /** Runtime path of the workspace copy. */
  readonly root: string;
  /** A stable name for this copy (the container id): baselines are kept per runtime. */
  readonly id: string;
  /** Walks `root`, skipping directories named in `prune`; hashes files whose size/mtime differ from `cache`. */
  manifest(options: { prune: readonly string[]; cache: RuntimeStatCache }, signal?: AbortSignal): Promise<Manifest>;
  /** Extracts a tar (paths relative to `root`) into `root`. */
  put(tar: Readable, signal?: AbortSignal): Promise<void>;
  /**
   * Removes files and links, and directories only when empty, in the order given (deepest first). Missing paths
   * are fine. Resolves with the directories left in place because they were not empty.
   */
  remove(paths: readonly string[], signal?: AbortSignal): Promise<string[]>;
  /** A tar of these paths (relative to `root`); paths that vanished are left out. */
  fetch(paths: readonly string[], signal?: AbortSignal): Promise<Readable>;
}
