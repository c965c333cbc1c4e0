// `acp-sandbox run`: the bridge plays the editor for one prompt and exits with a status that says how it went.
import { readFileSync } from "node:fs";
import { PassThrough } from "node:stream";
import { type Approve, ExitCode, runHeadless } from "../../../acp/client/headless.js";
import { jsonRenderer, textRenderer } from "../../../acp/client/render.js";
import { resolveSessionConfig, type SessionConfig } from "../../config/resolve.js";
import { UsageError } from "../../errors.js";
import type { Logger } from "../../log/logger.js";
import type { OptionValues } from "../parse.js";
import { bridgeExitCode, createBridge } from "./bridge.js";
import { NetworkMonitor } from "../../network/events.js";

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function resolvePrompt(values: OptionValues): Promise<string> {
  const inline = values["prompt"];
  const file = values["prompt-file"];
  if (typeof inline === "string" && typeof file === "string") throw new UsageError("give the prompt once: --prompt or --prompt-file, not both");
  if (typeof inline === "string") return inline;
  if (typeof file === "string") {
    try {
      return readFileSync(file, "utf8");
    } catch (error) {
      throw new UsageError(`cannot read --prompt-file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
  }
  if (process.stdin.isTTY) throw new UsageError("no prompt: pass --prompt TEXT, --prompt-file FILE, or pipe it on stdin");
  const text = await readStdin();
  if (text.trim() === "") throw new UsageError("no prompt: stdin was empty");
  return text;
}

/** Runs one prompt against `config` through an in-process bridge; prints to stdout, logs to stderr. */
export async function runOnce(config: SessionConfig, prompt: string, values: OptionValues, log: Logger): Promise<number> {
  const toBridge = new PassThrough();
  const fromBridge = new PassThrough();
  const network = new NetworkMonitor();
  const { bridge, close } = createBridge(config, log, { input: toBridge, output: fromBridge }, undefined, network);
  const ended = bridge.run();
  const write = (text: string) => process.stdout.write(text);
  const renderer = values["json"] ? jsonRenderer(write) : textRenderer(write);
  network.on((event) => renderer.network(event));

  const cancel = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts += 1;
    if (interrupts === 1) {
      log.warn("cancelling the turn (Ctrl-C again to stop at once)");
      cancel.abort();
    } else void bridge.stop({ kind: "signal", signal: "SIGINT" });
  };
  const onSigterm = () => void bridge.stop({ kind: "signal", signal: "SIGTERM" });
  process.on("SIGINT", onSigint);
  process.once("SIGTERM", onSigterm);
  const timeout = Number(values["timeout"] ?? 0);
  const timer = timeout > 0 ? setTimeout(() => {
    log.warn(`--timeout ${timeout}s reached; cancelling the turn`);
    cancel.abort();
  }, timeout * 1000) : undefined;

  const agentDied = ended.then((end) => (end.kind === "agent-exited" || end.kind === "launch-failed" ? end.message : new Promise<string>(() => {})));
  try {
    const result = await runHeadless({
      toAgent: toBridge,
      fromAgent: fromBridge,
      cwd: config.workspace,
      prompt,
      approve: (values["approve"] ?? "reads") as Approve,
      renderer,
      cancel: cancel.signal,
      agentDied,
    });
    toBridge.end();
    const end = await ended;
    await close();
    if (result.exitCode === ExitCode.ok && bridgeExitCode(end) !== 0) return ExitCode.agentCrashed;
    return result.exitCode;
  } finally {
    clearTimeout(timer);
    process.off("SIGINT", onSigint);
    process.off("SIGTERM", onSigterm);
  }
}

export async function runRunCommand(values: OptionValues, agent: readonly string[], log: Logger): Promise<number> {
  const config = await resolveSessionConfig(values, agent, process.env, process.cwd());
  const prompt = await resolvePrompt(values);
  return runOnce(config, prompt, values, log);
}
