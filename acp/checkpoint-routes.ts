// Checkpoints in the protocol: one before each turn, its changes at the end, `/checkpoints` and `/rollback` answered here.
import type { CheckpointConfig } from "../src/checkpoints/config.js";
import { firstLine } from "../src/checkpoints/format.js";
import { Recorder } from "../src/checkpoints/recorder.js";
import { checkpointJson, listCheckpoints, rollbackJson, runRollback, type RollbackDone } from "../src/checkpoints/service.js";
import { parseSlash, SLASH_COMMANDS, type SlashCommand } from "./checkpoint-slash.js";
import { CANCEL_SIGNAL, runningTurn, TurnMarker } from "../src/checkpoints/turn-lock.js";
import type { CheckpointMeta } from "../src/checkpoints/types.js";
import { CheckpointError, errorMessage } from "../src/errors.js";
import type { Logger } from "../src/log/logger.js";
import { formatReport } from "../src/sync/report.js";
import type { CopySession } from "../src/sync/session.js";
import type { BridgeContext, BridgeExtension } from "./context.js";
import { ErrorCode, isObject, RpcFailure, type RpcOutcome } from "./jsonrpc.js";
import type { JsonObject, JsonValue } from "./wire.js";

/** Two hooks around the sync routes: `outer` sees the turn first and last, `inner` runs after host → copy sync. */
export interface CheckpointRoutes {
  readonly outer: BridgeExtension;
  readonly inner: BridgeExtension;
}

function say(context: BridgeContext, sessionId: string, text: string): void {
  const editor = context.relay.endpoint("editor");
  if (!editor || editor.closed) return;
  editor.notify("session/update", { sessionId, update: { sessionUpdate: "agent_message_chunk", content: { type: "text", text } } });
}

function promptText(params: JsonObject): string {
  const prompt = Array.isArray(params["prompt"]) ? params["prompt"] : [];
  return prompt
    .filter((b): b is JsonObject => isObject(b) && b["type"] === "text" && typeof b["text"] === "string")
    .map((b) => b["text"] as string)
    .join("\n");
}

/** Our commands after the agent's own (ours replace any of the same name: the bridge answers them). */
function mergeCommands(theirs: readonly JsonValue[]): JsonValue[] {
  const ours = new Set<string>(SLASH_COMMANDS.map((c) => c.name));
  return [...theirs.filter((c) => !(isObject(c) && typeof c["name"] === "string" && ours.has(c["name"]))), ...(SLASH_COMMANDS as unknown as JsonValue[])];
}

export function createCheckpointRoutes(config: CheckpointConfig, excludes: readonly string[], copy: CopySession, log: Logger): CheckpointRoutes {
  let recorder: Recorder | undefined;
  let marker: TurnMarker | undefined;
  /** The checkpoint of each prompt in flight (keyed by the request as it travels through the handlers). */
  const turns = new WeakMap<JsonObject, { meta?: CheckpointMeta }>();
  const none: BridgeExtension = { install: () => {} };
  if (!config.enabled) return { outer: none, inner: none };

  /** Why a rollback cannot run now, if it cannot. */
  const busy = (): string | undefined => {
    const here = marker?.running ?? [];
    if (here.length > 0) return `a turn is running in session ${here.join(", ")}; wait for it to end (or cancel it) before rolling back`;
    const elsewhere = recorder ? runningTurn(recorder.store.dir) : undefined;
    if (elsewhere && elsewhere.pid !== process.pid) return `a turn is running in this workspace (bridge pid ${elsewhere.pid}); wait for it to end before rolling back`;
    return undefined;
  };

  const rollbackHere = async (sessionId: string, to: number | undefined, force: boolean, dryRun: boolean): Promise<RollbackDone> => {
    const done = await runRollback(recorder!, { to, force, dryRun, session: sessionId }, busy());
    if (dryRun || !copy.attached) return done;
    // The copy is the agent's view: it must hold what the host now holds.
    try {
      const report = await copy.resetRuntime();
      const note = copy.config.when === "turn" ? "" : "; changes the copy held that had not come back to the host are gone";
      return { ...done, text: `${done.text}the sandbox's copy was brought to the same state (${report ? formatReport(report) : "nothing to do"})${note}\n` };
    } catch (error) {
      log.error(`checkpoints: the sandbox's copy could not be brought to the rolled-back state: ${errorMessage(error)}`);
      return { ...done, text: `${done.text}warning: the sandbox's copy could not be brought to the same state (${errorMessage(error)}); the host is rolled back\n` };
    }
  };

  const answerSlash = async (context: BridgeContext, sessionId: string, command: SlashCommand): Promise<RpcOutcome> => {
    let text: string;
    try {
      switch (command.name) {
        case "checkpoints":
          text = listCheckpoints(recorder!.store).text;
          break;
        case "rollback":
          text = (await rollbackHere(sessionId, command.to, command.force, command.dryRun)).text;
          break;
        case "invalid":
          text = `${command.message}\n`;
          break;
      }
    } catch (error) {
      text = `acp-sandbox: ${errorMessage(error)}\n`;
    }
    say(context, sessionId, text);
    return { result: { stopReason: "end_turn" } };
  };

  const outer: BridgeExtension = {
    install(context: BridgeContext): void {
      recorder = new Recorder({ workspace: context.workspace, stateDir: config.stateDir, excludes, limits: config.limits, onSweepError: (m) => log.warn(m) });
      marker = new TurnMarker(recorder.store.dir);
      const rec = recorder;
      const mark = marker;

      context.relay.onRequest("editor", "session/prompt", async (message, request) => {
        const params = isObject(message["params"]) ? message["params"] : {};
        const sessionId = typeof params["sessionId"] === "string" ? params["sessionId"] : "";
        const slash = parseSlash(promptText(params));
        if (slash) return answerSlash(context, sessionId, slash);
        const turn: { meta?: CheckpointMeta } = {};
        turns.set(message, turn);
        mark.begin(sessionId);
        try {
          return await request.forward();
        } finally {
          if (turn.meta) {
            try {
              await rec.finish(turn.meta);
            } catch (error) {
              log.warn(errorMessage(error));
            }
          }
          mark.end(sessionId);
        }
      });

      // The agent's command list, with ours added, every time it sends it.
      context.relay.onNotification(
        "agent",
        "session/update",
        (message) => {
        const params = message["params"];
        if (!isObject(params) || !isObject(params["update"]) || params["update"]["sessionUpdate"] !== "available_commands_update") return message;
        const update = params["update"];
        const theirs = Array.isArray(update["availableCommands"]) ? update["availableCommands"] : [];
        return { ...message, params: { ...params, update: { ...update, availableCommands: mergeCommands(theirs) } } };
      },
      // Unparsed when the bytes cannot spell that update kind (no such text, and no \u escape that could hide it).
      { unchanged: (line) => line !== undefined && !line.includes("available_commands_update") && !line.includes("\\u") },
      );

      context.relay.onRequest("editor", "_acp-sandbox/checkpoints", async () => {
        const listing = listCheckpoints(rec.store);
        return { result: { workspace: listing.workspace, checkpoints: listing.checkpoints.map(checkpointJson), text: listing.text } as unknown as JsonValue };
      });
      context.relay.onRequest("editor", "_acp-sandbox/rollback", async (message) => {
        const params = isObject(message["params"]) ? message["params"] : {};
        const to = params["to"];
        if (to !== undefined && to !== null && !(typeof to === "number" && Number.isInteger(to) && to > 0)) throw RpcFailure.invalidParams("acp-sandbox: to must be a checkpoint id (a positive integer)");
        for (const flag of ["dryRun", "force"]) {
          if (params[flag] !== undefined && typeof params[flag] !== "boolean") throw RpcFailure.invalidParams(`acp-sandbox: ${flag} must be true or false`);
        }
        try {
          const done = await rollbackHere("editor", typeof to === "number" ? to : undefined, params["force"] === true, params["dryRun"] === true);
          return { result: rollbackJson(done) as unknown as JsonValue };
        } catch (error) {
          if (!(error instanceof CheckpointError)) throw error;
          const text = `acp-sandbox: ${error.message}`;
          if (error.kind === "unknown-id" || error.kind === "empty") throw RpcFailure.resourceNotFound(text);
          if (error.kind === "busy") throw new RpcFailure(ErrorCode.invalidRequest, text);
          throw RpcFailure.internal(text);
        }
      });

      // `acp-sandbox rollback --force` from a terminal: cancel the running turns so the rollback can go ahead.
      const onCancel = () => {
        const agent = context.relay.endpoint("agent");
        for (const sessionId of mark.running) {
          log.info(`checkpoints: a rollback asked to cancel the turn in session ${sessionId}`);
          agent?.notify("session/cancel", { sessionId });
        }
      };
      process.on(CANCEL_SIGNAL, onCancel);
      context.onShutdown(() => {
        process.off(CANCEL_SIGNAL, onCancel);
      });
    },
  };

  const inner: BridgeExtension = {
    install(context: BridgeContext): void {
      // After the host → copy sync of turn mode: the state the agent starts the turn from.
      context.relay.onRequest("editor", "session/prompt", async (message, request) => {
        const turn = turns.get(message);
        const params = isObject(message["params"]) ? message["params"] : {};
        const sessionId = typeof params["sessionId"] === "string" ? params["sessionId"] : "";
        if (turn && recorder) {
          try {
            turn.meta = await recorder.begin({ kind: "turn", session: sessionId, title: firstLine(promptText(params)) });
          } catch (error) {
            log.warn(`${errorMessage(error)}; the turn goes on without one`);
            say(context, sessionId, `\n[acp-sandbox] ${errorMessage(error)}; this turn goes on without a checkpoint\n`);
          }
        }
        return request.forward();
      });
    },
  };
  return { outer, inner };
}
