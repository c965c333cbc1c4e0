// Permission prompts the ToolHost sends the editor: a synthesized tool call with the four standard options, and the answer read back.
import type { JsonObject, JsonValue } from "../src/util/json.js";

export interface PromptSpec {
  readonly sessionId: string;
  readonly toolCallId: string;
  readonly title: string;
  readonly kind: "read" | "edit" | "execute";
  /** Host paths only: the editor never sees a runtime path. */
  readonly locations: readonly string[];
  readonly rawInput: JsonObject;
  /** Tool call content to show (a diff for writes). */
  readonly content?: readonly JsonObject[];
}

/** The answer to a prompt, as a decision, or `cancelled`. */
export type PromptAnswer = "allow-once" | "allow-always" | "reject-once" | "reject-always" | "cancelled";

const OPTIONS = [
  { optionId: "allow_once", name: "Allow once", kind: "allow_once" },
  { optionId: "allow_always", name: "Always allow", kind: "allow_always" },
  { optionId: "reject_once", name: "Reject", kind: "reject_once" },
  { optionId: "reject_always", name: "Always reject", kind: "reject_always" },
] as const;

const BY_KIND: Record<string, PromptAnswer> = {
  allow_once: "allow-once",
  allow_always: "allow-always",
  reject_once: "reject-once",
  reject_always: "reject-always",
};

export function permissionRequest(spec: PromptSpec): JsonObject {
  return {
    sessionId: spec.sessionId,
    toolCall: {
      toolCallId: spec.toolCallId,
      title: spec.title,
      kind: spec.kind,
      status: "pending",
      locations: spec.locations.map((p) => ({ path: p })),
      rawInput: spec.rawInput,
      ...(spec.content ? { content: [...spec.content] } : {}),
    },
    options: OPTIONS.map((o) => ({ ...o })),
  };
}

/**
 * Reads `result` of session/request_permission against the options offered. Unknown option ids are an error
 * (returned as a string), never taken as consent.
 */
export function readAnswer(result: JsonValue, options: ReadonlyArray<{ optionId: string; kind: string }> = OPTIONS): PromptAnswer | { invalid: string } {
  const outcome = (result as { outcome?: { outcome?: unknown; optionId?: unknown } } | null)?.outcome;
  if (outcome?.outcome === "cancelled") return "cancelled";
  if (outcome?.outcome === "selected" && typeof outcome.optionId === "string") {
    const option = options.find((o) => o.optionId === outcome.optionId);
    const answer = option ? BY_KIND[option.kind] : undefined;
    if (answer) return answer;
    return { invalid: `the editor chose ${JSON.stringify(outcome.optionId)}, which was not offered` };
  }
  return { invalid: "the editor's answer has no outcome" };
}

/** For a rule deciding the agent's own request: the offered option that matches, preferring the once kinds. */
export function optionFor(options: unknown, allow: boolean): string | undefined {
  if (!Array.isArray(options)) return undefined;
  const kinds = allow ? ["allow_once", "allow_always"] : ["reject_once", "reject_always"];
  for (const kind of kinds) {
    const found = (options as Array<{ optionId?: unknown; kind?: unknown }>).find((o) => o && o.kind === kind && typeof o.optionId === "string");
    if (found) return found.optionId as string;
  }
  return undefined;
}
