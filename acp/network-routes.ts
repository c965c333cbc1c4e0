// The network in the protocol: the first denial of each host in a turn, and the session-start notice, told to the editor.
import { formatEvent, type NetworkMonitor } from "../src/network/events.js";
import type { BridgeContext, BridgeExtension } from "./context.js";
import { isObject } from "./jsonrpc.js";

/** A line in the editor's transcript, as an agent message (the one channel every editor shows). */
function tellEditor(context: BridgeContext, sessionId: string, text: string): void {
  const editor = context.relay.endpoint("editor");
  if (!editor || editor.closed) return;
  editor.notify("session/update", { sessionId, update: { sessionUpdate: "agent_message_chunk", content: { type: "text", text: `\n[acp-sandbox] ${text}\n` } } });
}

/** `notices`: said once in each new session (the network is off for an agent no preset recognises). */
export function createNetworkRoutes(monitor: NetworkMonitor, notices: readonly string[]): BridgeExtension {
  return {
    install(context: BridgeContext): void {
      let current: string | undefined;
      /** Hosts already told about in this turn. */
      const told = new Set<string>();
      context.relay.onNotification(
        "agent",
        "session/update",
        (message) => {
          const params = message["params"];
          if (isObject(params) && typeof params["sessionId"] === "string") current = params["sessionId"];
          return message;
        },
        // Without the proxy (network none or open) no denial is ever told: updates need not be read for their session.
        { unchanged: () => context.sandbox().spec.network !== "allow" },
      );
      context.relay.onResponse("editor", "session/prompt", (outcome, request) => {
        const params = request["params"];
        if (isObject(params) && typeof params["sessionId"] === "string") current = params["sessionId"];
        told.clear();
        return outcome;
      });
      if (notices.length > 0) {
        context.relay.onResponse("editor", "session/new", (outcome) => {
          const result = "result" in outcome && isObject(outcome.result) ? outcome.result : undefined;
          const sessionId = result?.["sessionId"];
          // After the answer, so that the editor knows the session the message belongs to.
          if (typeof sessionId === "string") setImmediate(() => notices.forEach((notice) => tellEditor(context, sessionId, notice)));
          return outcome;
        });
      }
      monitor.on((event) => {
        if (event.kind !== "denied") return;
        const key = `${event.host}:${event.port}`;
        if (told.has(key)) return;
        told.add(key);
        const sessions = current ? [current] : context.sessions.all().map((s) => s.sessionId);
        for (const sessionId of sessions) tellEditor(context, sessionId, formatEvent(event));
      });
    },
  };
}
