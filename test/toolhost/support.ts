// Test support for the ToolHost: a bridge with the scripted agent on a scratch workspace, config and state isolated.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { BridgeProcess, type Message, scratchWorkspace, SCRIPTED_AGENT, serveEditorRequests } from "../support/bridge.js";

export interface Harness {
  /** The workspace (real path). */
  readonly ws: string;
  /** A directory beside the workspace: outside it. */
  readonly outside: string;
  /** XDG_CONFIG_HOME/acp-sandbox/config.json */
  readonly configFile: string;
  readonly env: NodeJS.ProcessEnv;
  cleanup(): void;
}

/** A scratch workspace, an outside directory, and an environment whose config and state directories are private. */
export function harness(): Harness {
  const workspace = scratchWorkspace("acp-toolhost-");
  const home = realpathSync(mkdtempSync(path.join(os.tmpdir(), "acp-toolhost-home-")));
  const outside = path.join(home, "outside");
  mkdirSync(outside);
  writeFileSync(path.join(outside, "secret.txt"), "TOP SECRET\n");
  const env = { ...process.env, XDG_CONFIG_HOME: path.join(home, "config"), XDG_STATE_HOME: path.join(home, "state") };
  return {
    ws: workspace.dir,
    outside,
    configFile: path.join(home, "config", "acp-sandbox", "config.json"),
    env,
    cleanup: () => {
      workspace.cleanup();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

export function writeConfig(h: Harness, config: unknown): void {
  mkdirSync(path.dirname(h.configFile), { recursive: true });
  writeFileSync(h.configFile, typeof config === "string" ? config : JSON.stringify(config, null, 2));
}

/** The built bridge on the harness's workspace with the scripted agent, initialized, with one session. */
export async function startBridge(h: Harness, flags: string[] = [], capabilities?: Message): Promise<{ bridge: BridgeProcess; sessionId: string }> {
  const bridge = BridgeProcess.start([process.execPath, SCRIPTED_AGENT], ["--sandbox", "local", "--workspace", h.ws, "--log-level", "debug", ...flags], { env: h.env });
  const init = await bridge.initialize(capabilities);
  if (!init["result"]) throw new Error(`initialize failed: ${JSON.stringify(init)}; stderr: ${bridge.stderr}`);
  const sessionId = await bridge.newSession(h.ws);
  return { bridge, sessionId };
}

/** Runs one scripted turn and returns the results it reported, in order. */
export async function turn(bridge: BridgeProcess, sessionId: string, steps: unknown[]): Promise<Array<{ op: string; result: any }>> {
  const before = bridge.results().length;
  const response = await bridge.prompt(sessionId, steps);
  if (!response["result"]) throw new Error(`prompt failed: ${JSON.stringify(response)}`);
  return bridge.results().slice(before);
}

/** Permission prompts the editor received, answered with the option of `kind` (undefined: left unanswered). */
export function answerPrompts(bridge: BridgeProcess, kind: (request: Message) => string | undefined, seen: Message[] = []): { prompts: Message[]; stop: () => void } {
  const stop = serveEditorRequests(bridge, (m) => {
    if (m["method"] !== "session/request_permission") return undefined;
    seen.push(m);
    const wanted = kind(m);
    if (wanted === undefined) return undefined;
    const option = (m["params"].options as Array<{ optionId: string; kind: string }>).find((o) => o.kind === wanted);
    return { result: { outcome: { outcome: "selected", optionId: option!.optionId } } };
  });
  return { prompts: seen, stop };
}

export const ERR = { invalidParams: -32602, resourceNotFound: -32002, cancelled: -32800 } as const;
