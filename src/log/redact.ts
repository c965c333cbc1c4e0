// Removes secret values from protocol messages before they are traced or logged.
import type { JsonValue } from "../util/json.js";

const SECRET_KEY = /(token|secret|password|passwd|api[-_]?key|authorization|cookie|credential|private[-_]?key)/i;
export const REDACTED = "[redacted]";
/** Counts, not secrets: `inputTokens`, `max_tokens`, `cachedReadTokens`, `tokenCount`. */
const COUNT_KEY = /(tokens|token_?count)$/i;

/** `{name, value}` pairs as used by MCP server env and headers: the value is the secret. */
function isNameValue(value: { [key: string]: JsonValue }): boolean {
  return typeof value["name"] === "string" && "value" in value;
}

/**
 * A copy of `value` with secrets replaced: values under secret-looking keys, every value of MCP `env`
 * and `headers` lists, and any occurrence of a known secret string anywhere.
 */
export function redact(value: JsonValue, knownSecrets: readonly string[] = [], parentKey = ""): JsonValue {
  if (typeof value === "string") {
    let out = value;
    for (const secret of knownSecrets) {
      if (secret.length >= 4 && out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    return out;
  }
  if (Array.isArray(value)) {
    const secretList = parentKey === "env" || parentKey === "headers";
    return value.map((item) => {
      if (secretList && item && typeof item === "object" && !Array.isArray(item) && isNameValue(item)) {
        return { ...item, value: REDACTED };
      }
      return redact(item, knownSecrets, parentKey);
    });
  }
  if (value && typeof value === "object") {
    const out: { [key: string]: JsonValue } = {};
    for (const [key, inner] of Object.entries(value)) {
      if (SECRET_KEY.test(key) && !COUNT_KEY.test(key) && (typeof inner === "string" || typeof inner === "number")) out[key] = REDACTED;
      else if (key === "env" && inner && typeof inner === "object" && !Array.isArray(inner)) {
        out[key] = Object.fromEntries(Object.keys(inner).map((k) => [k, REDACTED]));
      } else out[key] = redact(inner, knownSecrets, key);
    }
    return out;
  }
  return value;
}
