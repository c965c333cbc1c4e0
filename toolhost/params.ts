// Reads the fields of an agent's request, refusing malformed ones with invalidParams that name the field.
import type { JsonObject } from "../src/util/json.js";
import { BadParamsError } from "./errors.js";

export function paramsOf(message: JsonObject): JsonObject {
  const params = message["params"];
  if (params === null || typeof params !== "object" || Array.isArray(params)) throw new BadParamsError("acp-sandbox: params must be an object");
  return params as JsonObject;
}

export function requireString(params: JsonObject, name: string): string {
  const value = params[name];
  if (typeof value !== "string" || value === "") throw new BadParamsError(`acp-sandbox: ${name} must be a non-empty string`, { field: name });
  return value;
}

/** An optional whole number ≥ `min`; null and absent are both "not given". */
export function optionalInt(params: JsonObject, name: string, min: number): number | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
    throw new BadParamsError(`acp-sandbox: ${name} must be a whole number of at least ${min}, got ${JSON.stringify(value)}`, { field: name });
  }
  return value;
}

export function stringList(params: JsonObject, name: string): string[] {
  const value = params[name];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) throw new BadParamsError(`acp-sandbox: ${name} must be a list of strings`, { field: name });
  const list = value as string[];
  if (list.some((v) => v.includes("\0"))) throw new BadParamsError(`acp-sandbox: ${name} must not contain NUL bytes`, { field: name });
  return list;
}

/** ACP's `env: [{name, value}]` as a record; names must be real variable names. */
export function envList(params: JsonObject): Record<string, string> {
  const value = params["env"];
  if (value === undefined || value === null) return {};
  if (!Array.isArray(value)) throw new BadParamsError("acp-sandbox: env must be a list of {name, value}", { field: "env" });
  const out: Record<string, string> = {};
  for (const item of value) {
    const entry = item as { name?: unknown; value?: unknown } | null;
    if (!entry || typeof entry.name !== "string" || typeof entry.value !== "string") {
      throw new BadParamsError("acp-sandbox: env must be a list of {name, value} strings", { field: "env" });
    }
    if (entry.name === "" || entry.name.includes("=") || entry.name.includes("\0") || entry.value.includes("\0")) {
      throw new BadParamsError(`acp-sandbox: env variable ${JSON.stringify(entry.name)} is not a valid name (or its value holds a NUL byte)`, { field: "env" });
    }
    out[entry.name] = entry.value;
  }
  return out;
}
