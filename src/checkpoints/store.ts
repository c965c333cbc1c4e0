// One workspace's checkpoints on disk: headers, trees and objects, each written whole before it is named.
import { createHash, randomBytes } from "node:crypto";
import { linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { decodeTree, encodeTree } from "./codec.js";
import { ObjectStore, writeWhole } from "./objects.js";
import type { ChangeCounts, CheckpointMeta, StoredTree } from "./types.js";

/** `<stateDir>/checkpoints/<workspace name>-<hash of its path>`. */
export function storeDirFor(stateDir: string, workspace: string): string {
  const key = createHash("sha256").update(workspace).digest("hex").slice(0, 16);
  const name = path.basename(workspace).replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 40) || "root";
  return path.join(stateDir, "checkpoints", `${name}-${key}`);
}

/** The file in each store that names its workspace (for `prune`). */
export const WORKSPACE_FILE = "workspace";

export class CheckpointStore {
  readonly dir: string;
  readonly objects: ObjectStore;
  readonly #meta: string;
  readonly #trees: string;
  readonly #tmp: string;
  /** The last trees read or written (tree files never change once named). */
  readonly #cache = new Map<string, StoredTree>();

  constructor(
    stateDir: string,
    readonly workspace: string,
  ) {
    this.dir = storeDirFor(stateDir, workspace);
    this.objects = new ObjectStore(path.join(this.dir, "objects"));
    this.#meta = path.join(this.dir, "meta");
    this.#trees = path.join(this.dir, "trees");
    this.#tmp = path.join(this.dir, "tmp");
  }

  /** Every checkpoint, newest first. Headers that cannot be read are left out. */
  list(): CheckpointMeta[] {
    let names: string[];
    try {
      names = readdirSync(this.#meta);
    } catch {
      return [];
    }
    const metas: CheckpointMeta[] = [];
    for (const name of names) {
      if (!/^\d+\.json$/.test(name)) continue;
      try {
        const meta = JSON.parse(readFileSync(path.join(this.#meta, name), "utf8")) as CheckpointMeta;
        if (meta.version === 1 && typeof meta.id === "number") metas.push(meta);
      } catch {
        // half-written by something else, or damaged: not a checkpoint
      }
    }
    return metas.sort((a, b) => b.id - a.id);
  }

  get(id: number): CheckpointMeta | undefined {
    try {
      return JSON.parse(readFileSync(path.join(this.#meta, `${id}.json`), "utf8")) as CheckpointMeta;
    } catch {
      return undefined;
    }
  }

  /** The tree stored under `file`; throws when it is missing or damaged. */
  readTree(file: string): StoredTree {
    const cached = this.#cache.get(file);
    if (cached) return cached;
    const tree = decodeTree(readFileSync(path.join(this.#trees, file)), (hash) => this.objects.read(hash));
    this.#remember(file, tree);
    return tree;
  }

  #remember(file: string, tree: StoredTree): void {
    this.#cache.set(file, tree);
    for (const key of this.#cache.keys()) {
      if (this.#cache.size <= 4) break;
      this.#cache.delete(key);
    }
  }

  #temp(): string {
    mkdirSync(this.#tmp, { recursive: true, mode: 0o700 });
    return path.join(this.#tmp, `${process.pid}-${randomBytes(6).toString("hex")}`);
  }

  /** Writes a tree (its directory listings as objects, then its root file under a fresh name); returns the name and the bytes added. */
  writeTree(tree: StoredTree): { file: string; bytes: number } {
    mkdirSync(this.#trees, { recursive: true, mode: 0o700 });
    const { data, added, parts } = encodeTree(tree, (buffer) => this.objects.putBuffer(buffer));
    const file = `${Date.now().toString(36)}-${randomBytes(6).toString("hex")}.gz`;
    const temp = this.#temp();
    writeWhole(temp, [data]);
    renameSync(temp, path.join(this.#trees, file));
    this.#remember(file, { ...tree, parts });
    return { file, bytes: data.length + added };
  }

  /**
   * Names a new checkpoint whose tree is written already: the header is written last, under the next free id
   * (linked, so two bridges never take the same one). Until then the checkpoint does not exist.
   */
  create(fields: Omit<CheckpointMeta, "version" | "id">): CheckpointMeta {
    mkdirSync(this.#meta, { recursive: true, mode: 0o700 });
    this.#nameWorkspace();
    let id = (this.list()[0]?.id ?? 0) + 1;
    for (;;) {
      const meta: CheckpointMeta = { version: 1, id, ...fields };
      const temp = this.#temp();
      writeWhole(temp, [Buffer.from(JSON.stringify(meta))]);
      try {
        linkSync(temp, path.join(this.#meta, `${id}.json`));
        return meta;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        id += 1;
      } finally {
        unlinkSync(temp);
      }
    }
  }

  /** Records the state after a turn (or rollback): the end tree, then the header rewritten in one rename. */
  finish(meta: CheckpointMeta, end: string, changes: ChangeCounts, bytes: number): CheckpointMeta {
    const next: CheckpointMeta = { ...meta, end, changes, bytes: meta.bytes + bytes };
    const temp = this.#temp();
    writeWhole(temp, [Buffer.from(JSON.stringify(next))]);
    renameSync(temp, path.join(this.#meta, `${meta.id}.json`));
    return next;
  }

  /** Drops a checkpoint: its header first (from then on it does not exist), then its trees. Objects stay for the sweep. */
  remove(meta: CheckpointMeta): void {
    rmSync(path.join(this.#meta, `${meta.id}.json`), { force: true });
    for (const file of [meta.start, meta.end]) if (file) rmSync(path.join(this.#trees, file), { force: true });
  }

  /** Tree files no header names (left by a bridge killed mid-checkpoint): for the sweep. */
  treeFiles(): string[] {
    try {
      return readdirSync(this.#trees);
    } catch {
      return [];
    }
  }

  removeTree(file: string): void {
    rmSync(path.join(this.#trees, file), { force: true });
  }

  treeAgeMs(file: string): number {
    try {
      return Date.now() - statSync(path.join(this.#trees, file)).mtimeMs;
    } catch {
      return 0;
    }
  }

  /** Temp files of writers that were killed (older than `ageMs`). */
  clearTemp(ageMs: number): void {
    for (const dir of [this.#tmp, this.objects.dir]) {
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        continue;
      }
      for (const name of names) {
        if (dir === this.objects.dir && !name.startsWith(".tmp-")) continue;
        const file = path.join(dir, name);
        try {
          if (Date.now() - statSync(file).mtimeMs > ageMs) unlinkSync(file);
        } catch {
          // gone
        }
      }
    }
  }

  #nameWorkspace(): void {
    const file = path.join(this.dir, WORKSPACE_FILE);
    try {
      if (readFileSync(file, "utf8") === this.workspace) return;
    } catch {
      // first checkpoint
    }
    writeFileSync(file, this.workspace, { mode: 0o600 });
  }
}
