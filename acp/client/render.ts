// Prints what the agent does during a headless run: readable text, or one JSON object per line.
import type * as acp from "@agentclientprotocol/sdk";
import type { NetworkEvent } from "../../src/network/events.js";

export interface Renderer {
  update(notification: acp.SessionNotification): void;
  permission(title: string, decision: "allowed" | "refused" | "cancelled", why: string): void;
  notice(text: string): void;
  /** A connection the proxy allowed or denied (text output leaves these to stderr). */
  network(event: NetworkEvent): void;
  stop(stopReason: string, exitCode: number): void;
  error(message: string, exitCode: number): void;
}

export function jsonRenderer(write: (line: string) => void): Renderer {
  const out = (value: unknown) => write(JSON.stringify(value) + "\n");
  return {
    update: (n) => out({ type: "update", sessionId: n.sessionId, update: n.update }),
    permission: (title, decision, why) => out({ type: "permission", title, decision, why }),
    notice: (text) => out({ type: "notice", text }),
    network: (event) => out({ type: "network", ...event }),
    stop: (stopReason, exitCode) => out({ type: "stop", stopReason, exitCode }),
    error: (message, exitCode) => out({ type: "error", message, exitCode }),
  };
}

/** Lines in a text: "a" is one, "a\n" is one, "a\nb" two, "" none. */
export function lineCount(text: string): number {
  if (text === "") return 0;
  return text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
}

function diffLine(file: string, newText: string): string {
  const n = lineCount(newText);
  return `   diff ${file}: ${n} line${n === 1 ? "" : "s"}`;
}

export function textRenderer(write: (text: string) => void): Renderer {
  let atLineStart = true;
  const titles = new Map<string, string>();
  const emit = (text: string) => {
    if (text === "") return;
    write(text);
    atLineStart = text.endsWith("\n");
  };
  const line = (text: string) => emit((atLineStart ? "" : "\n") + text + "\n");
  return {
    update: ({ update }) => {
      switch (update.sessionUpdate) {
        case "agent_message_chunk":
          if (update.content.type === "text") emit(update.content.text);
          break;
        case "agent_thought_chunk":
          if (update.content.type === "text") line(`(thinking) ${update.content.text.trim()}`);
          break;
        case "plan":
          line("Plan:\n" + update.entries.map((e) => `  [${e.status === "completed" ? "x" : e.status === "in_progress" ? ">" : " "}] ${e.content}`).join("\n"));
          break;
        case "tool_call": {
          titles.set(update.toolCallId, update.title);
          const where = (update.locations ?? []).map((l) => l.path).join(", ");
          line(`-> ${update.kind ?? "other"}: ${update.title}${where ? ` (${where})` : ""}`);
          for (const c of update.content ?? []) if (c.type === "diff") line(diffLine(c.path, c.newText));
          break;
        }
        case "tool_call_update":
          // Agents refine a call's title as they learn more (claude: "Write" becomes "Write notes.txt"): keep the latest.
          if (update.title) titles.set(update.toolCallId, update.title);
          for (const c of update.content ?? []) if (c.type === "diff") line(diffLine(c.path, c.newText));
          if (update.status === "completed" || update.status === "failed") {
            line(`   ${update.status === "completed" ? "done" : "FAILED"}: ${update.title ?? titles.get(update.toolCallId) ?? update.toolCallId}`);
          }
          break;
        default:
          break;
      }
    },
    permission: (title, decision, why) => line(`permission: ${title}: ${decision} (${why})`),
    notice: (text) => line(text),
    network: () => {},
    stop: (stopReason, exitCode) => line(`[${stopReason}]${exitCode === 0 ? "" : ` exit ${exitCode}`}`),
    error: (message, exitCode) => line(`error: ${message} (exit ${exitCode})`),
  };
}
