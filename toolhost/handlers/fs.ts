// fs/read_text_file and fs/write_text_file: containment, then policy, then the editor (unsaved buffers), the disk, or the runtime's copy.
import path from "node:path";
import { RpcFailure, type RpcOutcome } from "../../acp/jsonrpc.js";
import type { JsonObject, JsonValue } from "../../src/util/json.js";
import { BadParamsError, NotFoundError, PathRefusedError } from "../errors.js";
import { locate } from "../fs/locate.js";
import { readRuntimeText, resolveRuntime, writeRuntimeText } from "../fs/runtime-files.js";
import { readTextFile } from "../fs/read.js";
import { writeTextFile } from "../fs/write.js";
import { checkRequestPath } from "../paths.js";
import { protectedPattern } from "../../src/policy/protected.js";
import type { ToolHostState } from "../state.js";
import { optionalInt, requireString } from "../params.js";

/** Old text shown in the permission prompt's diff: small text files only. */
const DIFF_OLD_TEXT_LIMIT = 256 * 1024;

async function where(state: ToolHostState, params: JsonObject) {
  const session = state.session(params["sessionId"]);
  const requested = typeof params["path"] === "string" ? params["path"] : "";
  const sandbox = state.sandbox();
  const hostPath = checkRequestPath(params["path"], session.roots, "path", (p) => sandbox.pathMap.toHost(p));
  if (sandbox.files) {
    // Copy mode: the runtime's own copy, through the sandbox.
    const runtime = await resolveRuntime(sandbox.files, sandbox.pathMap, path.resolve(requested), session.roots, requested);
    const files = sandbox.files;
    return { session, requested, hostPath, real: runtime.hostReal, root: runtime.root, exists: !!runtime.stat, isDirectory: runtime.stat?.type === "directory", runtime: { files, target: runtime } };
  }
  const place = await locate(hostPath, session.roots, { create: false, requested });
  if (place.kind === "pinned") await place.close();
  const exists = place.kind === "pinned" && place.stat !== undefined;
  const isDirectory = place.kind === "pinned" && !!place.stat?.isDirectory();
  return { session, requested, hostPath, real: place.real, root: place.root, exists, isDirectory, runtime: undefined };
}

/** `mkdir -p` inside the sandbox (copy mode: the runtime's copy has no host path). */
async function mkdirsInSandbox(state: ToolHostState, runtimeDir: string): Promise<void> {
  const child = await state.sandbox().exec({ command: "mkdir", args: ["-p", "--", runtimeDir] });
  child.stdin.end();
  child.stdout.resume();
  child.stderr.resume();
  const status = await child.exited;
  if (status.exitCode !== 0) throw new Error(`mkdir -p ${runtimeDir} failed (${JSON.stringify(status)})`);
}

/** An editor's answer passes back as it is, error included. */
function editorOutcome(outcome: RpcOutcome): JsonValue {
  if ("error" in outcome) throw new RpcFailure(outcome.error.code, outcome.error.message, outcome.error.data);
  return outcome.result;
}

export async function readTextFileHandler(state: ToolHostState, params: JsonObject, signal?: AbortSignal): Promise<JsonValue> {
  const line = optionalInt(params, "line", 1);
  const limit = optionalInt(params, "limit", 0);
  const target = await where(state, params);
  if (target.isDirectory) throw new PathRefusedError(`acp-sandbox: ${target.requested} is a directory, not a file`, { path: target.requested, reason: "directory" });
  if (!target.exists) throw new NotFoundError(`acp-sandbox: ${target.requested} does not exist`, { path: target.requested });
  await state.permissions.require({
    sessionId: target.session.sessionId,
    subject: { op: "read", real: target.real },
    signal,
    act: { paths: [target.real] },
    what: `read ${target.requested}`,
    prompt: () => ({ title: `Read ${target.hostPath}`, kind: "read", locations: [target.hostPath], rawInput: { path: target.hostPath, ...(line ? { line } : {}), ...(limit !== undefined ? { limit } : {}) } }),
  });
  if (state.editorServesFs("readTextFile")) {
    const forwarded: JsonObject = { ...params, path: target.hostPath };
    return editorOutcome(await state.bridge.relay.endpoint("editor")!.request("fs/read_text_file", forwarded));
  }
  const content = target.runtime
    ? await readRuntimeText(target.runtime.files, target.runtime.target, target.requested, { line, limit, maxBytes: state.config.maxReadBytes })
    : await readTextFile({ hostPath: target.hostPath, requested: target.requested, line, limit, approvedReal: target.real }, target.session.roots, state.config.maxReadBytes);
  return { content };
}

export async function writeTextFileHandler(state: ToolHostState, params: JsonObject, signal?: AbortSignal): Promise<JsonValue> {
  const content = params["content"];
  if (typeof content !== "string") throw new BadParamsError("acp-sandbox: content must be a string", { field: "content" });
  requireString(params, "path");
  const target = await where(state, params);
  if (!target.root.writable) {
    throw new PathRefusedError(`acp-sandbox: ${target.requested} lies in ${target.root.path}, which is read-only`, { path: target.requested, reason: "read-only" });
  }
  if (target.isDirectory) throw new PathRefusedError(`acp-sandbox: ${target.requested} is a directory, not a file`, { path: target.requested, reason: "directory" });
  const oldText = !target.exists
    ? null
    : target.runtime
      ? await readRuntimeText(target.runtime.files, target.runtime.target, target.requested, { maxBytes: DIFF_OLD_TEXT_LIMIT }).catch(() => null)
      : await readTextFile({ hostPath: target.hostPath, requested: target.requested, approvedReal: target.real }, target.session.roots, DIFF_OLD_TEXT_LIMIT).catch(() => null);
  await state.permissions.require({
    sessionId: target.session.sessionId,
    subject: { op: "write", real: target.real },
    signal,
    act: { paths: [target.real] },
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
    // Editors differ on creating missing directories: make them here, each level checked, before handing over.
    if (!target.exists) {
      const place = await locate(target.hostPath, target.session.roots, { create: true, requested: target.requested });
      if (place.kind === "pinned") await place.close();
    }
    const forwarded: JsonObject = { ...params, path: target.hostPath };
    return editorOutcome(await state.bridge.relay.endpoint("editor")!.request("fs/write_text_file", forwarded));
  }
  if (target.runtime) {
    const { files, target: runtimeTarget } = target.runtime;
    await writeRuntimeText(files, state.sandbox().pathMap, runtimeTarget, target.requested, content, target.session.roots, (dir) => mkdirsInSandbox(state, dir));
    return {};
  }
  await writeTextFile({ hostPath: target.hostPath, requested: target.requested, content, approvedReal: target.real }, target.session.roots);
  return {};
}
