// The shapes checkpoints work with: a tree of the workspace, a checkpoint's header, and what a turn changed.

export type EntryType = "file" | "dir" | "symlink";

/** One workspace path as a checkpoint records it. */
export interface TreeEntry {
  readonly type: EntryType;
  /** Permission bits (`mode & 0o7777`). */
  readonly mode: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly ino: number;
  /** sha256 (hex) of a file's content: the name of its object in the store. */
  readonly hash?: string;
  /** A symlink's target, as stored in the link. */
  readonly target?: string;
}

/** Relative POSIX path → entry; the workspace root is never an entry. */
export type Tree = Map<string, TreeEntry>;

/** A tree as it is stored, with when it was taken (files changed after that are not trusted by stat). */
export interface StoredTree {
  /** Wall-clock ms at which the scan began. */
  readonly takenMs: number;
  readonly entries: Tree;
  /** The exclude patterns the scan applied (beyond the built-in defaults and `.gitignore` files). */
  readonly excludes: readonly string[];
  /**
   * Paths changed since the previous checkpoint's end by someone other than the agent (between turns);
   * undefined when that end was never recorded.
   */
  readonly outside?: readonly string[];
  /** The objects holding the directory listings (set when read from the store). */
  readonly parts?: readonly string[];
}

export type CheckpointKind = "turn" | "rollback";

export interface ChangeCounts {
  readonly added: number;
  readonly modified: number;
  readonly deleted: number;
}

/** A checkpoint's header: small, read for listings. Its existence is what makes a checkpoint exist. */
export interface CheckpointMeta {
  readonly version: 1;
  readonly id: number;
  readonly kind: CheckpointKind;
  /** ISO time the checkpoint was taken. */
  readonly time: string;
  readonly session: string;
  readonly turn: number;
  /** The prompt's first line (a turn), or what was rolled back to (a rollback). */
  readonly title: string;
  /** Objects and trees this checkpoint added to the store, in bytes. */
  readonly bytes: number;
  /** The tree file of the workspace as it was (under `trees/`). */
  readonly start: string;
  /** Set once the turn ended (or the rollback was applied): the tree file of the state after it. */
  readonly end?: string;
  /** Set with `end`: what the turn (or rollback) changed. */
  readonly changes?: ChangeCounts;
}
