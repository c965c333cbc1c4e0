// What extensions (the ToolHost, sync, checkpoints) get to hook into the bridge: shared by the bridge and its routes.
import type { Logger } from "../src/log/logger.js";
import type { Sandbox } from "../src/sandbox/types.js";
import type { Relay } from "./relay.js";
import type { SessionTable } from "./sessions.js";
import type { JsonObject } from "./wire.js";

/** What extensions (the ToolHost, sync) get to hook into the bridge. */
export interface BridgeContext {
  readonly relay: Relay;
  readonly log: Logger;
  readonly sessions: SessionTable;
  /** Host path, resolved. */
  readonly workspace: string;
  /** The running sandbox; throws before `initialize` has started it. */
  sandbox(): Sandbox;
  /** The editor's clientCapabilities as it sent them in initialize. */
  editorCapabilities(): JsonObject;
  /** Rewrites the initialize request before it reaches the agent. */
  onInitialize(hook: (params: JsonObject) => JsonObject): void;
  /** Runs at shutdown, before the sandbox is destroyed. */
  onShutdown(hook: () => Promise<void> | void): void;
}

export interface BridgeExtension {
  install(context: BridgeContext): void;
}

