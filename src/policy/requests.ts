// What an agent's own session/request_permission asks to do, read from its v1 `toolCall` or its v2 `subject`.
//
// Shapes, from the adapters' published sources:
// - claude-agent-acp 0.101.0 (dist/tool-calls/renderer.js permissionToolCall, reporters/bash.js and file-edit.js):
//   `toolCall: {toolCallId, name, status, rawInput, title, kind, content, locations?}`; Bash has kind "execute" and
//   `rawInput.command` (a shell line); Write/Edit have kind "edit", `rawInput.file_path` and `locations[].path`;
//   Read has kind "read"; for a v2 client the same tool call goes in `subject: {type: "tool_call", toolCall}`.
// - codex-acp 0.13.0 (src/thread.rs exec_approval, patch_approval): exec `rawInput` is the ExecApprovalRequestEvent,
//   `command` an argv (`["bash", "-lc", "…"]`), kind "execute" (or "read"/"search" for commands it recognises);
//   patches have kind "edit", `locations[].path`, and `rawInput.changes` keyed by path (`move_path` for a move).
// - ACP v2 draft (@agentclientprotocol/sdk 2.4.0, dist/v2/schema/types.gen.d.ts RequestPermissionRequest):
//   `{sessionId, title, description?, subject?: {type: "tool_call", toolCall} | {type: "command", command, cwd,
//   toolCallId?, terminalId?}, options}`.

type Json = unknown;
type Obj = Record<string, Json>;

/** The act a permission request describes, when it says enough to judge it. */
export type RequestedAct =
  | { readonly kind: "write" | "read"; readonly paths: readonly string[] }
  /** A shell line (claude's Bash, v2's command subject) or an argv (codex). `cwd` is the agent's, if it says. */
  | { readonly kind: "terminal"; readonly command: string | readonly string[]; readonly cwd?: string }
  | { readonly kind: "none" };

export interface PermissionRequestView {
  /** 2 for the draft's shape (`title` and `subject`, no `toolCall`). */
  readonly version: 1 | 2;
  readonly title: string;
  /** The tool call's kind (execute for a v2 command subject). */
  readonly kind: string | undefined;
  readonly toolCallId: string | undefined;
  readonly act: RequestedAct;
}

const WRITE_KINDS = new Set(["edit", "delete", "move"]);
const PATH_KEYS = ["file_path", "path", "notebook_path", "filePath", "source", "destination", "old_path", "new_path"];

function isObj(value: Json): value is Obj {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function str(value: Json): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** Every path a tool call names: its locations, the usual rawInput keys, and codex's `changes` (with move targets). */
function pathsOf(toolCall: Obj): string[] {
  const found: string[] = [];
  const locations = toolCall["locations"];
  if (Array.isArray(locations)) for (const l of locations) if (isObj(l) && str(l["path"])) found.push(l["path"] as string);
  const raw = toolCall["rawInput"];
  if (isObj(raw)) {
    for (const key of PATH_KEYS) if (str(raw[key])) found.push(raw[key] as string);
    const changes = raw["changes"];
    if (isObj(changes)) {
      for (const [file, change] of Object.entries(changes)) {
        found.push(file);
        const update = isObj(change) && isObj(change["update"]) ? change["update"] : change;
        if (isObj(update) && str(update["move_path"])) found.push(update["move_path"] as string);
      }
    }
  }
  return [...new Set(found)];
}

function commandOf(raw: Json): string | readonly string[] | undefined {
  if (!isObj(raw)) return undefined;
  const command = raw["command"];
  if (str(command)) return command as string;
  if (Array.isArray(command) && command.length > 0 && command.every((w) => typeof w === "string")) return command as string[];
  return undefined;
}

function actOf(toolCall: Obj, kind: string | undefined): RequestedAct {
  const raw = toolCall["rawInput"];
  const command = commandOf(raw);
  if (command !== undefined && !WRITE_KINDS.has(kind ?? "")) {
    const cwd = isObj(raw) ? str(raw["cwd"]) : undefined;
    return { kind: "terminal", command, ...(cwd ? { cwd } : {}) };
  }
  if (kind !== undefined && (WRITE_KINDS.has(kind) || kind === "read")) {
    const paths = pathsOf(toolCall);
    if (paths.length > 0) return { kind: WRITE_KINDS.has(kind) ? "write" : "read", paths };
  }
  return { kind: "none" };
}

/** Reads a session/request_permission's params, v1 or v2. */
export function readPermissionRequest(params: Obj): PermissionRequestView {
  const subject = params["subject"];
  if (!isObj(params["toolCall"]) && str(params["title"]) !== undefined) {
    const title = params["title"] as string;
    if (isObj(subject) && subject["type"] === "command" && str(subject["command"])) {
      const cwd = str(subject["cwd"]);
      return { version: 2, title, kind: "execute", toolCallId: str(subject["toolCallId"]), act: { kind: "terminal", command: subject["command"] as string, ...(cwd ? { cwd } : {}) } };
    }
    if (isObj(subject) && subject["type"] === "tool_call" && isObj(subject["toolCall"])) {
      const toolCall = subject["toolCall"];
      const kind = str(toolCall["kind"]);
      return { version: 2, title, kind, toolCallId: str(toolCall["toolCallId"]), act: actOf(toolCall, kind) };
    }
    return { version: 2, title, kind: undefined, toolCallId: undefined, act: { kind: "none" } };
  }
  const toolCall = isObj(params["toolCall"]) ? params["toolCall"] : {};
  const kind = str(toolCall["kind"]);
  const toolCallId = str(toolCall["toolCallId"]);
  const title = str(toolCall["title"]) ?? toolCallId ?? "";
  return { version: 1, title, kind, toolCallId, act: actOf(toolCall, kind) };
}
