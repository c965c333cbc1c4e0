// The quarantine in the protocol: a sweep after each answered prompt and at the end, told on stderr and to the editor.
import { errorMessage } from "../src/errors.js";
import type { Logger } from "../src/log/logger.js";
import { describeSweep, Quarantine } from "../src/quarantine/quarantine.js";
import { type TopWatch, watchTop } from "../src/quarantine/watch.js";
import { defaultStateDir } from "../src/sync/baseline.js";
import type { Sandbox } from "../src/sandbox/types.js";
import type { BridgeContext, BridgeExtension } from "./context.js";
import { isObject } from "./jsonrpc.js";

/** A line in the editor's transcript for `sessionId`, as an agent message. */
function tellEditor(context: BridgeContext, sessionId: string, text: string): void {
  const editor = context.relay.endpoint("editor");
  if (!editor || editor.closed) return;
  editor.notify("session/update", { sessionId, update: { sessionUpdate: "agent_message_chunk", content: { type: "text", text: `\n[acp-sandbox] ${text}\n` } } });
}

export interface QuarantineRoutes extends BridgeExtension {
  /** The last sweep, once the sandbox is gone (stderr only: the editor may be gone too). */
  finish(): void;
}

/**
 * Bind mode only (the sandbox shares the workspace with the host): the snapshot is taken when the bridge starts;
 * each `session/prompt` answered, the session's end and the bridge's exit sweep the workspace, and so does a
 * protected name appearing at the workspace's top or in one of its `.git` directories (within a quarter second).
 */
export function createQuarantineRoutes(workspace: string, log: Logger, stateDir: string = defaultStateDir()): QuarantineRoutes {
  let quarantine: Quarantine | undefined;
  try {
    quarantine = new Quarantine(workspace, stateDir);
    if (quarantine.incomplete) log.warn(`quarantine: the workspace scan ${quarantine.incomplete}; new protected paths will not be moved out`);
  } catch (error) {
    log.warn(`quarantine: cannot take the snapshot of protected paths (${errorMessage(error)}); nothing will be quarantined`);
  }
  let sandbox: Sandbox | undefined;
  let watcher: TopWatch | undefined;
  const run = (tell: (line: string) => void): void => {
    if (!quarantine || !sandbox?.capabilities.sharesWorkspace) return;
    let lines: string[];
    try {
      lines = describeSweep(workspace, quarantine.sweep(sandbox.protectedReadOnly ?? []));
    } catch (error) {
      lines = [`could not check the protected paths: ${errorMessage(error)}`];
    }
    for (const line of lines) {
      log.warn(`quarantine: ${line}`);
      tell(line);
    }
  };
  return {
    install(context: BridgeContext): void {
      let last: string | undefined;
      const sessions = (): string[] => (last ? [last] : context.sessions.all().map((s) => s.sessionId));
      const current = () => {
        try {
          sandbox ??= context.sandbox();
        } catch {
          // not started
        }
      };
      // Before the editor sees the answer, so that the report lands in the turn it belongs to.
      context.relay.onResponse("editor", "session/prompt", (outcome, request) => {
        const params = isObject(request["params"]) ? request["params"] : {};
        const sessionId = typeof params["sessionId"] === "string" ? params["sessionId"] : undefined;
        last = sessionId ?? last;
        current();
        run((line) => {
          if (sessionId) tellEditor(context, sessionId, line);
        });
        return outcome;
      });
      if (quarantine) {
        watcher = watchTop(workspace, quarantine.gitDirs, () => {
          current();
          run((line) => {
            for (const id of sessions()) tellEditor(context, id, line);
          });
        });
      }
      context.onShutdown(() => {
        watcher?.close();
        current();
        run((line) => {
          for (const id of sessions()) tellEditor(context, id, line);
        });
      });
    },
    finish: () => {
      watcher?.close();
      run(() => {});
    },
  };
}
