// The built-in headless client behind `acp-sandbox run`: one session, one prompt, an exit status.
import { Readable, Writable } from "node:stream";
import * as acp from "@agentclientprotocol/sdk";
import type { Renderer } from "./render.js";

export type Approve = "none" | "reads" | "all";

export const ExitCode = {
  ok: 0,
  internal: 1,
  usage: 2,
  refusal: 3,
  limit: 4,
  cancelled: 5,
  agentCrashed: 6,
  permissionDenied: 7,
  agentError: 8,
} as const;

export interface HeadlessOptions {
  /** The bridge's input and output, seen from the client. */
  readonly toAgent: Writable;
  readonly fromAgent: Readable;
  readonly cwd: string;
  readonly prompt: string;
  readonly approve: Approve;
  readonly renderer: Renderer;
  /** Aborting it cancels the turn (session/cancel). */
  readonly cancel: AbortSignal;
  /** Resolves with a message when the agent died, so the run can say so instead of waiting. */
  readonly agentDied: Promise<string>;
}

export interface HeadlessResult {
  readonly exitCode: number;
  readonly stopReason?: string;
  readonly refusals: number;
}

function exitForStop(stopReason: acp.StopReason, refusals: number): number {
  switch (stopReason) {
    case "end_turn":
      return refusals > 0 ? ExitCode.permissionDenied : ExitCode.ok;
    case "refusal":
      return ExitCode.refusal;
    case "max_tokens":
    case "max_turn_requests":
      return ExitCode.limit;
    case "cancelled":
      return ExitCode.cancelled;
    default:
      return ExitCode.internal;
  }
}

/** Whether `--approve` lets a permission request of this tool kind through. */
export function approves(approve: Approve, kind: string | null | undefined): boolean {
  if (approve === "all") return true;
  if (approve === "reads") return kind === "read" || kind === "search";
  return false;
}

export async function runHeadless(options: HeadlessOptions): Promise<HeadlessResult> {
  const { renderer } = options;
  let refusals = 0;
  const stream = acp.ndJsonStream(
    Writable.toWeb(options.toAgent) as WritableStream<Uint8Array>,
    Readable.toWeb(options.fromAgent) as unknown as ReadableStream<Uint8Array>,
  );
  const app = acp
    .client({ name: "acp-sandbox run" })
    .onNotification(acp.methods.client.session.update, async ({ params }) => renderer.update(params))
    .onRequest(acp.methods.client.session.requestPermission, async ({ params }) => {
      const kind = params.toolCall.kind;
      const title = params.toolCall.title ?? params.toolCall.toolCallId;
      const allowed = approves(options.approve, kind);
      const wanted = allowed ? ["allow_once", "allow_always"] : ["reject_once", "reject_always"];
      const option = wanted.map((k) => params.options.find((o) => o.kind === k)).find(Boolean);
      if (!allowed) refusals += 1;
      renderer.permission(title, allowed ? "allowed" : "refused", `--approve ${options.approve}`);
      return option ? { outcome: { outcome: "selected", optionId: option.optionId } } : { outcome: { outcome: "cancelled" } };
    });

  const died = options.agentDied.then((message) => ({ died: message }));
  // A cancel (Ctrl-C, --timeout) that comes before the turn has started ends the run without starting it:
  // the agent may still be starting, or hang in initialize, and there is no turn to send session/cancel to.
  const cancelled = new Promise<"cancelled">((resolve) => {
    if (options.cancel.aborted) resolve("cancelled");
    else options.cancel.addEventListener("abort", () => resolve("cancelled"), { once: true });
  });
  const work = app.connectWith(stream, async (agent) => {
    const start = async () => {
      await agent.request(acp.methods.agent.initialize, {
        protocolVersion: acp.PROTOCOL_VERSION,
        clientCapabilities: { fs: { readTextFile: false, writeTextFile: false }, terminal: false },
        clientInfo: { name: "acp-sandbox run", version: "1" },
      });
      return agent.request(acp.methods.agent.session.new, { cwd: options.cwd, mcpServers: [] });
    };
    const session = await Promise.race([start(), cancelled]);
    if (session === "cancelled" || options.cancel.aborted) return { stopReason: "cancelled" as const };
    const onCancel = () => void agent.notify(acp.methods.agent.session.cancel, { sessionId: session.sessionId });
    options.cancel.addEventListener("abort", onCancel, { once: true });
    try {
      const response = await agent.request(acp.methods.agent.session.prompt, {
        sessionId: session.sessionId,
        prompt: [{ type: "text", text: options.prompt }],
      });
      return { stopReason: response.stopReason };
    } finally {
      options.cancel.removeEventListener("abort", onCancel);
    }
  });
  const outcome = await Promise.race([work.then((r) => ({ done: r }), (error: unknown) => ({ failed: error })), died]);
  if ("died" in outcome) {
    renderer.error(outcome.died, ExitCode.agentCrashed);
    return { exitCode: ExitCode.agentCrashed, refusals };
  }
  if ("failed" in outcome) {
    const message = outcome.failed instanceof Error ? outcome.failed.message : JSON.stringify(outcome.failed);
    const crashed = await Promise.race([died, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 300))]);
    // A JSON-RPC error the agent (or the bridge on its behalf) answered with: "Authentication required", a bad request.
    const answered = typeof (outcome.failed as { code?: unknown } | undefined)?.code === "number";
    const exitCode = crashed ? ExitCode.agentCrashed : answered ? ExitCode.agentError : ExitCode.internal;
    renderer.error(crashed ? crashed.died : message, exitCode);
    return { exitCode, refusals };
  }
  const exitCode = exitForStop(outcome.done.stopReason, refusals);
  renderer.stop(outcome.done.stopReason, exitCode);
  return { exitCode, stopReason: outcome.done.stopReason, refusals };
}
