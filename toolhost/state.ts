// What the ToolHost's handlers share: the bridge, the policy, the terminals, and each session's allowed roots.
import type { BridgeContext } from "../acp/context.js";
import type { Logger } from "../src/log/logger.js";
import type { Sandbox } from "../src/sandbox/types.js";
import type { ToolHostConfig } from "./config.js";
import { UnknownIdError } from "./errors.js";
import type { AllowedRoot } from "./paths.js";
import type { Permissions } from "./permissions.js";
import type { RememberedAnswers } from "../src/policy/remember.js";
import type { TerminalManager } from "./terminals/manager.js";

export interface SessionView {
  readonly sessionId: string;
  /** The workspace (read-write), granted directories, the session's additional directories: host paths. */
  readonly roots: readonly AllowedRoot[];
  /** Host path. */
  readonly cwd: string;
}

export class ToolHostState {
  readonly #tracked = new Set<string>();

  constructor(
    readonly config: ToolHostConfig,
    readonly bridge: BridgeContext,
    readonly permissions: Permissions,
    readonly remembered: RememberedAnswers,
    readonly terminals: TerminalManager,
    readonly log: Logger,
  ) {}

  sandbox(): Sandbox {
    return this.bridge.sandbox();
  }

  /** The session named in a request; resourceNotFound when the bridge has not seen it start. */
  session(sessionId: unknown): SessionView {
    const entry = typeof sessionId === "string" ? this.bridge.sessions.get(sessionId) : undefined;
    if (!entry) throw new UnknownIdError(`acp-sandbox: unknown session ${JSON.stringify(sessionId)}`, { sessionId: typeof sessionId === "string" ? sessionId : null });
    this.#track(entry.sessionId);
    const roots: AllowedRoot[] = [
      { path: this.config.workspace, writable: true },
      ...this.config.directories,
      ...entry.additionalDirectories.map((p) => ({ path: p, writable: true })),
    ];
    return { sessionId: entry.sessionId, roots, cwd: entry.cwd };
  }

  /** Whether fs requests go through the editor (unsaved buffers, undo) rather than to disk directly. */
  editorServesFs(method: "readTextFile" | "writeTextFile"): boolean {
    const fs = this.bridge.editorCapabilities()["fs"];
    const sandbox = this.sandbox();
    return sandbox.capabilities.sharesWorkspace && sandbox.files === undefined && !!fs && typeof fs === "object" && (fs as Record<string, unknown>)[method] === true;
  }

  /** Ties the session's terminals, prompts and remembered answers to its end, once. */
  #track(sessionId: string): void {
    if (this.#tracked.has(sessionId)) return;
    const entry = this.bridge.sessions.get(sessionId);
    if (!entry) return;
    this.#tracked.add(sessionId);
    entry.cleanups.push(async () => {
      this.#tracked.delete(sessionId);
      this.permissions.cancelSession(sessionId);
      this.remembered.forget(sessionId);
      await this.terminals.releaseSession(sessionId);
    });
  }
}
