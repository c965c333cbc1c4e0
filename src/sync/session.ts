// One bridge session's copy of the workspace: filled when the sandbox starts, synced back when told, closed at the end.
// Every bridge has one; the sync engine and the host watcher (tar, chokidar) load only when a copy is attached.
import type { Logger } from "../log/logger.js";
import type { BaselineStore } from "./baseline.js";
import type { SyncConfig } from "./config.js";
import type { WorkspaceSync } from "./engine.js";
import type { Owner } from "./pack.js";
import type { SyncConflict, SyncReport, SyncRuntime } from "./types.js";
import type { HostWatcher } from "./watch.js";

export interface Attachment {
  readonly runtime: SyncRuntime;
  readonly owner: Owner;
  /** The runtime outlives the session (`--persist reuse`): its baseline is kept for `acp-sandbox sync`. */
  readonly kept: boolean;
  readonly signal?: AbortSignal;
}

export class CopySession {
  readonly config: SyncConfig;
  readonly workspace: string;
  readonly #log: Logger;
  readonly #listeners: Array<(conflict: SyncConflict) => void> = [];
  #engine: WorkspaceSync | undefined;
  #watcher: HostWatcher | undefined;
  #store: BaselineStore | undefined;
  #kept = false;
  #closed = false;

  constructor(config: SyncConfig, workspace: string, log: Logger) {
    this.config = config;
    this.workspace = workspace;
    this.#log = log;
  }

  /** Whether a runtime copy exists (the sandbox runs in copy mode). */
  get attached(): boolean {
    return this.#engine !== undefined;
  }

  onConflict(listener: (conflict: SyncConflict) => void): void {
    this.#listeners.push(listener);
  }

  /** Takes the runtime's copy in hand and fills it from the host (three-way: a kept copy's own changes survive). */
  async attach(attachment: Attachment): Promise<SyncReport> {
    const { runtime, owner, kept } = attachment;
    const [{ BaselineStore }, { WorkspaceSync }, { HostWatcher }] = await Promise.all([import("./baseline.js"), import("./engine.js"), import("./watch.js")]);
    this.#kept = kept;
    this.#store = new BaselineStore(this.config.stateDir, this.workspace, runtime.id);
    const engine = new WorkspaceSync({
      workspace: this.workspace,
      runtime,
      store: this.#store,
      log: this.#log,
      owner,
      excludes: this.config.excludes,
      onConflict: (conflict) => this.#listeners.forEach((listener) => listener(conflict)),
    });
    this.#engine = engine;
    if (this.config.when === "none") {
      this.#log.info(
        kept
          ? "sync: --sync none: the agent's changes stay in the kept container; `acp-sandbox sync` brings them back"
          : "sync: --sync none with a transient container: the agent's changes are discarded when the session ends",
      );
    }
    this.#log.info(`sync: copying ${this.workspace} into the sandbox (copy mode; changes come back ${this.#moments()})`);
    const report = await engine.toRuntime(attachment.signal);
    if (this.config.when === "turn") {
      this.#watcher = new HostWatcher(this.workspace, engine.excludes);
      engine.watch(this.#watcher);
    }
    return report;
  }

  #moments(): string {
    switch (this.config.when) {
      case "none":
        return "only with `acp-sandbox sync`";
      case "session":
        return "when the session ends";
      case "turn":
        return "after every turn and when the session ends";
    }
  }

  /** Host → runtime before a turn (turn mode). */
  async beforeTurn(signal?: AbortSignal): Promise<SyncReport | undefined> {
    if (!this.#engine || this.#closed || this.config.when !== "turn") return undefined;
    return this.#engine.toRuntime(signal);
  }

  /** After a rollback of the host: the copy brought to the same state, whatever it held (any sync moment). */
  async resetRuntime(signal?: AbortSignal): Promise<SyncReport | undefined> {
    if (!this.#engine || this.#closed) return undefined;
    return this.#engine.resetRuntime(signal);
  }

  /** Runtime → host after a turn (turn mode). */
  async afterTurn(signal?: AbortSignal): Promise<SyncReport | undefined> {
    if (!this.#engine || this.#closed || this.config.when !== "turn") return undefined;
    return this.#engine.toHost(signal);
  }

  /** Runtime → host at the end (session end, crash, stop), unless `--sync none`; then stops watching. Once. */
  async close(reason: string): Promise<SyncReport | undefined> {
    if (!this.#engine || this.#closed) return undefined;
    this.#closed = true;
    try {
      if (this.config.when === "none") return undefined;
      this.#log.info(`sync: bringing the sandbox's changes back (${reason})`);
      return await this.#engine.toHost();
    } finally {
      await this.#watcher?.close();
      if (!this.#kept) await this.#store?.remove();
    }
  }
}
