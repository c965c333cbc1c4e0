// Watches the host workspace (chokidar) during a session: which paths the user changed since the last sync.
import path from "node:path";
import { type FSWatcher, watch } from "chokidar";
import type { Excludes } from "./excludes.js";
import { TEMP_MARKER } from "./excludes.js";

export class HostWatcher implements AsyncDisposable {
  readonly #root: string;
  readonly #watcher: FSWatcher;
  #dirty = new Set<string>();
  #ready = false;
  #broken: string | undefined;
  readonly ready: Promise<void>;

  constructor(root: string, excludes: Excludes) {
    this.#root = root;
    this.#watcher = watch(root, {
      ignoreInitial: true,
      followSymlinks: false,
      persistent: true,
      ignored: (file, stats) => {
        const rel = path.relative(root, file).split(path.sep).join("/");
        if (rel === "" || rel.startsWith("..")) return false;
        if (path.basename(file).includes(TEMP_MARKER)) return true;
        return excludes.excluded(rel, stats?.isDirectory() ?? false);
      },
    });
    this.#watcher.on("all", (_event, file) => this.#mark(file));
    this.#watcher.on("error", (error) => {
      this.#broken = error instanceof Error ? error.message : String(error);
    });
    this.ready = new Promise((resolve) =>
      this.#watcher.once("ready", () => {
        this.#ready = true;
        resolve();
      }),
    );
  }

  #mark(file: string): void {
    const rel = path.relative(this.#root, file).split(path.sep).join("/");
    if (rel !== "" && !rel.startsWith("..")) this.#dirty.add(rel);
  }

  /** Whether the watcher can be trusted to have seen every change (ready, and no error since). */
  get reliable(): boolean {
    return this.#ready && this.#broken === undefined;
  }

  /** The paths changed since the last call, and a fresh start. */
  take(): Set<string> {
    const dirty = this.#dirty;
    this.#dirty = new Set();
    return dirty;
  }

  /** Paths changed since the last `take`, without resetting. */
  peek(): ReadonlySet<string> {
    return this.#dirty;
  }

  async close(): Promise<void> {
    await this.#watcher.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
