// The default command: be the agent the editor spawned, and relay to the real one inside the sandbox.
import type { Readable, Writable } from "node:stream";
import { Bridge, type BridgeEnd } from "../../../acp/bridge.js";
import type { BridgeExtension } from "../../../acp/context.js";
import { noTrace, openTrace } from "../../../acp/trace.js";
import type { SessionConfig } from "../../config/resolve.js";
import type { Logger } from "../../log/logger.js";
import { chooseEarly } from "../../sandbox/early.js";
import { startSandbox } from "../../sandbox/start.js";
import { isTerminalStart, runTerminalCommand, type TerminalOptions } from "./terminal-auth.js";
import { PACKAGE_NAME, VERSION } from "../../version.js";
import { createToolHost } from "../../../toolhost/extension.js";
import { createSyncRoutes } from "../../../acp/sync-routes.js";
import { createCheckpointRoutes } from "../../../acp/checkpoint-routes.js";
import { createQuarantineRoutes } from "../../../acp/quarantine-routes.js";
import { dockerCopyMode } from "../../sync/docker/copy-mode.js";
import { CopySession } from "../../sync/session.js";
import { createNetworkRoutes } from "../../../acp/network-routes.js";
import { NetworkMonitor } from "../../network/events.js";

export interface BridgeIo {
  readonly input: Readable;
  readonly output: Writable;
}

export function createBridge(
  config: SessionConfig,
  log: Logger,
  io: BridgeIo,
  extensions: readonly BridgeExtension[] = [createToolHost(config.toolhost, log, { graceMs: config.graceMs })],
  network: NetworkMonitor = new NetworkMonitor(),
): { bridge: Bridge; close: () => Promise<void> } {
  const tracer = config.trace ? openTrace(config.trace, config.secrets) : noTrace;
  const [command, ...args] = config.agent;
  const copy = new CopySession(config.sync, config.workspace, log);
  const copyMode = dockerCopyMode(copy);
  // The backend is known now: load and probe it while the editor is still to send initialize.
  const early = chooseEarly(config.sandbox, config.sandboxSettings, log, { copyMode, networkMonitor: network });
  const checkpoints = createCheckpointRoutes(config.checkpoints, config.sync.excludes, copy, log);
  const quarantine = createQuarantineRoutes(config.workspace, log);
  const bridge = new Bridge({
    input: io.input,
    output: io.output,
    workspace: config.workspace,
    agent: { command: command!, args, cwd: config.sandboxSpec.runtimeRoot },
    startSandbox: (signal) => startSandbox(config.sandbox, config.sandboxSettings, log, signal, { copyMode, networkMonitor: network }, early),
    log,
    tracer,
    info: { name: PACKAGE_NAME, version: VERSION },
    maxLineBytes: config.maxLineBytes,
    graceMs: config.graceMs,
    extensions: [...extensions, checkpoints.outer, createSyncRoutes(copy, log), checkpoints.inner, quarantine, createNetworkRoutes(network, config.sandboxSettings.editorNotices ?? [])],
  });
  const close = async () => {
    quarantine.finish();
    await tracer.close();
  };
  return { bridge, close };
}

/** Bridge exit status: 0 when the editor (or a signal) ended it, 1 when the agent died or never started. */
export function bridgeExitCode(end: BridgeEnd): number {
  switch (end.kind) {
    case "editor-closed":
    case "signal":
      return 0;
    case "agent-exited":
    case "launch-failed":
      return 1;
  }
}

export async function runBridgeCommand(config: SessionConfig, log: Logger, terminal: TerminalOptions = {}): Promise<number> {
  if (isTerminalStart(config, process.stdin.isTTY === true, terminal.preset)) return runTerminalCommand(config, log, terminal);
  const { bridge, close } = createBridge(config, log, { input: process.stdin, output: process.stdout });
  const onSignal = (signal: NodeJS.Signals) => {
    log.info(`received ${signal}; stopping the agent`);
    void bridge.stop({ kind: "signal", signal });
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  process.once("SIGHUP", onSignal);
  const end = await bridge.run();
  await close();
  return bridgeExitCode(end);
}
