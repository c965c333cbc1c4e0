// Test support for the policy: the bridge with the raw agent, which sends the editor permission requests of the test's exact shape.
import { BridgeProcess, type Message, RAW_AGENT } from "../support/bridge.js";
import type { Harness } from "../toolhost/support.js";

let nextId = 1;

/** The bridge on the harness's workspace with the raw agent, initialized (v1 unless `initialize` says), with its session. */
export async function startRaw(h: Harness, flags: string[] = [], initialize?: Message): Promise<{ bridge: BridgeProcess; sessionId: string; init: Message }> {
  const bridge = BridgeProcess.start([process.execPath, RAW_AGENT], ["--sandbox", "local", "--workspace", h.ws, "--log-level", "debug", ...flags], { env: h.env });
  const init = initialize ? await bridge.request("initialize", initialize) : await bridge.initialize();
  if (!init["result"]) throw new Error(`initialize failed: ${JSON.stringify(init)}; stderr: ${bridge.stderr}`);
  const sessionId = await bridge.newSession(h.ws);
  return { bridge, sessionId, init };
}

/**
 * The agent sends session/request_permission with exactly `params`; resolves with the answer it gets back, whoever
 * gave it (the bridge's policy, or the editor through `answer`).
 */
export async function agentAsks(bridge: BridgeProcess, params: Message): Promise<Message> {
  const id = `perm-${nextId++}`;
  await bridge.request("_fixture/ask-editor", { id, method: "session/request_permission", params });
  const response = await bridge.waitFor((m) => m["method"] === "_fixture/response" && m["params"].received.id === id);
  return response["params"].received;
}
