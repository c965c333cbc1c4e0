// JSON-RPC 2.0 message shapes, classification, and ACP's error codes.
import type { JsonObject, JsonValue } from "./wire.js";

export type RpcId = string | number;

export interface RpcError {
  code: number;
  message: string;
  data?: JsonValue;
}

/** The outcome of a request: what goes into the response besides `jsonrpc` and `id`. */
export type RpcOutcome = { readonly result: JsonValue } | { readonly error: RpcError };

export const ErrorCode = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  authRequired: -32000,
  resourceNotFound: -32002,
  requestCancelled: -32800,
} as const;

/** An error meant for the peer: thrown by handlers, turned into a JSON-RPC error response. */
export class RpcFailure extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: JsonValue,
  ) {
    super(message);
  }

  toError(): RpcError {
    return this.data === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, data: this.data };
  }

  static invalidParams(message: string, data?: JsonValue): RpcFailure {
    return new RpcFailure(ErrorCode.invalidParams, message, data);
  }
  static resourceNotFound(message: string, data?: JsonValue): RpcFailure {
    return new RpcFailure(ErrorCode.resourceNotFound, message, data);
  }
  static methodNotFound(method: string): RpcFailure {
    return new RpcFailure(ErrorCode.methodNotFound, `method not found: ${method}`, { method });
  }
  static internal(message: string, data?: JsonValue): RpcFailure {
    return new RpcFailure(ErrorCode.internalError, message, data);
  }
  static cancelled(message = "request cancelled"): RpcFailure {
    return new RpcFailure(ErrorCode.requestCancelled, message);
  }
}

export type Classified =
  | { readonly kind: "request"; readonly id: RpcId; readonly method: string }
  | { readonly kind: "notification"; readonly method: string }
  | { readonly kind: "response"; readonly id: RpcId | null }
  | { readonly kind: "invalid"; readonly id: RpcId | null; readonly reason: string };

function isId(value: unknown): value is RpcId {
  return typeof value === "string" || (typeof value === "number" && Number.isFinite(value));
}

export function classify(message: JsonObject): Classified {
  const { id, method } = message;
  const hasId = "id" in message;
  if (typeof method === "string") {
    if (!hasId) return { kind: "notification", method };
    if (isId(id)) return { kind: "request", id, method };
    return { kind: "invalid", id: null, reason: "a request id must be a string or a number" };
  }
  if ("method" in message) return { kind: "invalid", id: isId(id) ? id : null, reason: "method must be a string" };
  if ("result" in message || "error" in message) {
    if (isId(id) || id === null) return { kind: "response", id: id ?? null };
    return { kind: "invalid", id: null, reason: "a response id must be a string or a number" };
  }
  return { kind: "invalid", id: isId(id) ? id : null, reason: hasId ? "a request without a method" : "neither a request, a notification nor a response" };
}

export function outcomeOf(response: JsonObject): RpcOutcome {
  if ("error" in response && response["error"] && typeof response["error"] === "object") {
    return { error: response["error"] as unknown as RpcError };
  }
  return { result: (response["result"] ?? null) as JsonValue };
}

export function responseMessage(id: RpcId | null, outcome: RpcOutcome): JsonObject {
  return "error" in outcome
    ? { jsonrpc: "2.0", id, error: outcome.error as unknown as JsonValue }
    : { jsonrpc: "2.0", id, result: outcome.result };
}

export function failureOutcome(error: unknown): RpcOutcome {
  if (error instanceof RpcFailure) return { error: error.toError() };
  return { error: { code: ErrorCode.internalError, message: error instanceof Error ? error.message : String(error) } };
}

export function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
