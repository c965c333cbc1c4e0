// Terminal auth: started on a terminal (an editor's terminal-auth login), run the agent interactively in the same sandbox.
import type { SessionConfig } from "../../config/resolve.js";
import type { Logger } from "../../log/logger.js";
import { choosePreset } from "../../sandbox/presets.js";
import { startSandbox } from "../../sandbox/start.js";
import type { ExitStatus, TtyProcess } from "../../sandbox/types.js";
import os from "node:os";

/**
 * Whether this start is a terminal one rather than an ACP session: stdin is a terminal (nobody speaks
 * ND-JSON on a terminal), or the agent's command line carries the arguments its preset advertises for
 * terminal auth (claude-agent-acp's `--cli auth login ...`).
 */
export function isTerminalStart(config: Pick<SessionConfig, "agent">, stdinIsTty: boolean, presetChoice = "auto"): boolean {
  if (stdinIsTty) return true;
  const preset = choosePreset(presetChoice, config.agent);
  const marker = preset?.terminalArgs;
  return !!marker && config.agent.slice(1).some((word) => marker.includes(word));
}

export interface TerminalOptions {
  /** `--preset` as given. */
  readonly preset?: string | undefined;
  /** Whether `--network` was given: then it is kept as it is, even `none`. */
  readonly networkGiven?: boolean;
}

function exitCode(status: ExitStatus): number {
  if (status.exitCode !== null) return status.exitCode;
  const number = status.signal ? os.constants.signals[status.signal as NodeJS.Signals] : undefined;
  return 128 + (number ?? 1);
}

/**
 * Runs the agent in a pseudo-terminal inside the session's sandbox, with this process's terminal passed
 * through (raw keys in, output out, resizes), the network open for the login unless --network says otherwise, and its
 * state directory mounted so that the login stays. Resolves with the agent's exit status.
 */
export async function runTerminalCommand(config: SessionConfig, log: Logger, options: TerminalOptions = {}): Promise<number> {
  const settings = config.sandboxSettings;
  const preset = choosePreset(options.preset ?? "auto", config.agent);
  let spec = settings.spec;
  if (spec.network === "none" && !options.networkGiven) {
    log.info(`terminal: the network is open for this login${preset ? ` (${preset.name} signs in at ${preset.hosts.join(", ")})` : ""}`);
    spec = { ...spec, network: "open" };
  }
  const sandbox = await startSandbox(config.sandbox, { ...settings, spec, isolatedNotices: [] }, log);
  const stdin = process.stdin;
  const stdout = process.stdout;
  let tty: TtyProcess | undefined;
  const forward = (chunk: Buffer | string) => tty?.write(typeof chunk === "string" ? chunk : chunk.toString("utf8"));
  const resize = () => tty?.resize(stdout.columns || 80, stdout.rows || 24);
  try {
    const [command, ...args] = config.agent;
    tty = await sandbox.execTty({ command: command!, args, cwd: sandbox.spec.runtimeRoot }, { cols: stdout.columns || 80, rows: stdout.rows || 24 });
    tty.onData((chunk) => void stdout.write(chunk));
    if (stdin.isTTY) stdin.setRawMode(true);
    stdin.on("data", forward);
    stdin.resume();
    stdout.on("resize", resize);
    const status = await tty.exited;
    log.debug(`terminal: the agent exited (${JSON.stringify(status)})`);
    return exitCode(status);
  } finally {
    stdin.off("data", forward);
    stdout.off("resize", resize);
    if (stdin.isTTY) stdin.setRawMode(false);
    stdin.pause();
    await tty?.terminate(config.graceMs).catch(() => undefined);
    await sandbox.destroy();
  }
}
