// Copy mode in the protocol: sync around each turn (turn mode), at the end of the session, and conflicts told to the editor.
import { errorMessage } from "../src/errors.js";
import type { Logger } from "../src/log/logger.js";
import { formatConflict } from "../src/sync/report.js";
import type { CopySession } from "../src/sync/session.js";
import type { BridgeContext, BridgeExtension } from "./context.js";
import { isObject } from "./jsonrpc.js";

/** A line in the editor's transcript for `sessionId`, as an agent message (there is no other channel to the user). */
function tellEditor(context: BridgeContext, sessionId: string, text: string): void {
  const editor = context.relay.endpoint("editor");
  if (!editor || editor.closed) return;
  editor.notify("session/update", { sessionId, update: { sessionUpdate: "agent_message_chunk", content: { type: "text", text: `\n[acp-sandbox] ${text}\n` } } });
}

export function createSyncRoutes(copy: CopySession, log: Logger): BridgeExtension {
  return {
    install(context: BridgeContext): void {
      /** The session the next conflict is shown in: the prompt being synced, else the last one seen. */
      let current: string | undefined;
      const sessionsToTell = (): string[] => (current ? [current] : context.sessions.all().map((s) => s.sessionId));
      copy.onConflict((conflict) => {
        for (const sessionId of sessionsToTell()) tellEditor(context, sessionId, formatConflict(conflict));
      });

      context.relay.onRequest("editor", "session/prompt", async (message, request) => {
        if (!copy.attached || copy.config.when !== "turn") return request.forward();
        const params = isObject(message["params"]) ? message["params"] : {};
        current = typeof params["sessionId"] === "string" ? params["sessionId"] : current;
        try {
          await copy.beforeTurn(request.signal);
        } catch (error) {
          log.error(`sync host → runtime before the turn failed: ${errorMessage(error)}`);
          if (current) tellEditor(context, current, `sync: your latest edits did not reach the sandbox (${errorMessage(error)})`);
        }
        const outcome = await request.forward();
        try {
          await copy.afterTurn();
        } catch (error) {
          log.error(`sync runtime → host after the turn failed: ${errorMessage(error)}`);
          if (current) tellEditor(context, current, `sync: this turn's changes did not come back yet (${errorMessage(error)}); they will at the end of the session`);
        }
        return outcome;
      });

      context.onShutdown(async () => {
        try {
          await copy.close("the session is ending");
        } catch (error) {
          log.error(
            `sync runtime → host at the end failed: ${errorMessage(error)}` +
              (copy.config.when === "none" ? "" : "; with --persist reuse the changes stay in the container and `acp-sandbox sync` brings them back"),
          );
        }
      });
    },
  };
}
