// Translates the paths inside protocol payloads between the host's and the runtime's view.
import type { PathMap } from "../src/sandbox/path-map.js";
import { isObject } from "./jsonrpc.js";
import type { JsonObject, JsonValue } from "./wire.js";

type Translate = (p: string) => string | undefined;

function mapPath(value: JsonValue | undefined, translate: Translate): JsonValue | undefined {
  return typeof value === "string" ? (translate(value) ?? value) : value;
}

function mapUri(value: JsonValue | undefined, translate: Translate): JsonValue | undefined {
  if (typeof value !== "string" || !value.startsWith("file://")) return value;
  const mapped = translate(decodeURI(value.slice("file://".length)));
  return mapped === undefined ? value : "file://" + encodeURI(mapped);
}

function mapContentItem(item: JsonValue, translate: Translate): JsonValue {
  if (!isObject(item)) return item;
  const out: JsonObject = { ...item };
  if (item["type"] === "diff") out["path"] = mapPath(item["path"], translate) ?? null;
  if (item["type"] === "resource_link") out["uri"] = mapUri(item["uri"], translate) ?? null;
  if (item["type"] === "content" && isObject(item["content"])) out["content"] = mapContentItem(item["content"], translate);
  if (item["type"] === "resource" && isObject(item["resource"])) {
    out["resource"] = { ...item["resource"], uri: mapUri(item["resource"]["uri"], translate) ?? null };
  }
  return out;
}

/** session/update from the agent: tool call locations, diff paths and resource links, runtime → host. */
export function sessionUpdateToHost(message: JsonObject, map: PathMap): JsonObject {
  const params = message["params"];
  if (map.isIdentity || !isObject(params) || !isObject(params["update"])) return message;
  // Most updates carry no path (message chunks, thoughts, plans): those go on as they came, which lets
  // the relay forward their bytes unchanged.
  let changed = false;
  const translate: Translate = (p) => {
    const host = map.toHost(p);
    if (host !== undefined && host !== p) changed = true;
    return host;
  };
  const update: JsonObject = { ...params["update"] };
  if (Array.isArray(update["locations"])) {
    update["locations"] = update["locations"].map((loc) => (isObject(loc) ? { ...loc, path: mapPath(loc["path"], translate) ?? null } : loc));
  }
  if (Array.isArray(update["content"])) update["content"] = update["content"].map((c) => mapContentItem(c, translate));
  else if (isObject(update["content"])) update["content"] = mapContentItem(update["content"], translate);
  return changed ? { ...message, params: { ...params, update } } : message;
}

/** session/new, load, resume from the editor: cwd and additionalDirectories, host → runtime. */
export function sessionParamsToRuntime(params: JsonObject, map: PathMap): JsonObject {
  if (map.isIdentity) return params;
  const translate: Translate = (p) => map.toRuntime(p);
  const out: JsonObject = { ...params };
  if (typeof params["cwd"] === "string") out["cwd"] = mapPath(params["cwd"], translate) ?? null;
  if (Array.isArray(params["additionalDirectories"])) {
    out["additionalDirectories"] = params["additionalDirectories"].map((d) => mapPath(d, translate) ?? null);
  }
  return out;
}

/** A request from the agent carrying a `path` or `cwd` (fs/*, terminal/create), runtime → host. */
export function pathParamsToHost(params: JsonObject, map: PathMap): JsonObject {
  if (map.isIdentity) return params;
  const translate: Translate = (p) => map.toHost(p);
  const out: JsonObject = { ...params };
  if (typeof params["path"] === "string") out["path"] = mapPath(params["path"], translate) ?? null;
  if (typeof params["cwd"] === "string") out["cwd"] = mapPath(params["cwd"], translate) ?? null;
  return out;
}
