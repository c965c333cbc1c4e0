// fs/read_text_file and fs/write_text_file: containment, then policy, then the editor (unsaved buffers) or the disk.
import { RpcFailure, type RpcOutcome } from "../../acp/jsonrpc.js";
import type { JsonObject, JsonValue } from "../../src/util/json.js";
import { BadParamsError, NotFoundError, PathRefusedError } from "../errors.js";
import { locate } from "../fs/locate.js";
import { readTextFile } from "../fs/read.js";
import { writeTextFile } from "../fs/write.js";
import { checkRequestPath } from "../paths.js";
import { protectedPattern } from "../protected.js";
import type { ToolHostState } from "../state.js";
import { optionalInt, requireString } from "../params.js";

/** Old text shown in the permission prompt's diff: small text files only. */
const DIFF_OLD_TEXT_LIMIT = 256 * 1024;

async function where(state: ToolHostState, params: JsonObject) {
  const session = state.session(params["sessionId"]);
  const requested = typeof params["path"] === "string" ? params["path"] : "";
  const hostPath = checkRequestPath(params["path"], session.roots, "path", (p) => state.sandbox().pathMap.toHost(p));
  const place = await locate(hostPath, session.roots, { create: false, requested });
  if (place.kind === "pinned") await place.close();
  const exists = place.kind === "pinned" && place.stat !== undefined;
  const isDirectory = place.kind === "pinned" && !!place.stat?.isDirectory();
  return { session, requested, hostPath, real: place.real, root: place.root, exists, isDirectory };
}

/** An editor's answer passes back as it is, error included. */
function editorOutcome(outcome: RpcOutcome): JsonValue {
  if ("error" in outcome) throw new RpcFailure(outcome.error.code, outcome.error.message, outcome.error.data);
  return outcome.result;
}

export async function readTextFileHandler(state: ToolHostState, params: JsonObject): Promise<JsonValue> {
  const line = optionalInt(params, "line", 1);
  const limit = optionalInt(params, "limit", 0);
  const target = await where(state, params);
  if (target.isDirectory) throw new PathRefusedError(`acp-sandbox: ${target.requested} is a directory, not a file`, { path: target.requested, reason: "directory" });
  if (!target.exists) throw new NotFoundError(`acp-sandbox: ${target.requested} does not exist`, { path: target.requested });
  await state.permissions.require({
    sessionId: target.session.sessionId,
    subject: { op: "read", real: target.real },
    what: `read ${target.requested}`,
    prompt: () => ({ title: `Read ${target.hostPath}`, kind: "read", locations: [target.hostPath], rawInput: { path: target.hostPath, ...(line ? { line } : {}), ...(limit !== undefined ? { limit } : {}) } }),
  });
  if (state.editorServesFs("readTextFile")) {
    const forwarded: JsonObject = { ...params, path: target.hostPath };
    return editorOutcome(await state.bridge.relay.endpoint("editor")!.request("fs/read_text_file", forwarded));
  }
  const content = await readTextFile({ hostPath: target.hostPath, requested: target.requested, line, limit, approvedReal: target.real }, target.session.roots, state.config.maxReadBytes);
  return { content };
}

export async function writeTextFileHandler(state: ToolHostState, params: JsonObject): Promise<JsonValue> {
  const content = params["content"];
  if (typeof content !== "string") throw new BadParamsError("acp-sandbox: content must be a string", { field: "content" });
  requireString(params, "path");
  const target = await where(state, params);
  if (!target.root.writable) {
    throw new PathRefusedError(`acp-sandbox: ${target.requested} lies in ${target.root.path}, which is read-only`, { path: target.requested, reason: "read-only" });
  }
  if (target.isDirectory) throw new PathRefusedError(`acp-sandbox: ${target.requested} is a directory, not a file`, { path: target.requested, reason: "directory" });
  const oldText = target.exists ? await readTextFile({ hostPath: target.hostPath, requested: target.requested, approvedReal: target.real }, target.session.roots, DIFF_OLD_TEXT_LIMIT).catch(() => null) : null;
  await state.permissions.require({
    sessionId: target.session.sessionId,
    subject: { op: "write", real: target.real },
    what: `write ${target.requested}`,
    protectedPattern: protectedPattern(target.root.path, target.real),
    prompt: () => ({
      title: `${target.exists ? "Write" : "Create"} ${target.hostPath}`,
      kind: "edit",
      locations: [target.hostPath],
      rawInput: { path: target.hostPath, bytes: Buffer.byteLength(content) },
      content: [{ type: "diff", path: target.hostPath, oldText, newText: content }],
    }),
  });
  if (state.editorServesFs("writeTextFile")) {
    const forwarded: JsonObject = { ...params, path: target.hostPath };
    return editorOutcome(await state.bridge.relay.endpoint("editor")!.request("fs/write_text_file", forwarded));
  }
  await writeTextFile({ hostPath: target.hostPath, requested: target.requested, content, approvedReal: target.real }, target.session.roots);
  return {};
}
