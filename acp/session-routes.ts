// session/new, load and resume: the session's directories must lie in the workspace; paths go host → runtime.
import path from "node:path";
import type { BridgeContext } from "./context.js";
import { isObject, RpcFailure } from "./jsonrpc.js";
import { sessionParamsToRuntime } from "./path-translate.js";
import type { JsonObject } from "./wire.js";
import { outsideReason, resolveReal } from "../toolhost/roots.js";

/** Checks a session's directories, naming both paths when one lies outside the workspace. */
export function checkSessionDirectories(params: JsonObject, workspace: string): { cwd: string; additionalDirectories: string[] } {
  const cwd = params["cwd"];
  if (typeof cwd !== "string") throw RpcFailure.invalidParams("acp-sandbox: cwd must be an absolute path string");
  const extra = params["additionalDirectories"] ?? [];
  if (!Array.isArray(extra) || extra.some((d) => typeof d !== "string")) {
    throw RpcFailure.invalidParams("acp-sandbox: additionalDirectories must be a list of absolute paths");
  }
  const check = (p: string, what: string) => {
    const reason = outsideReason(p, [workspace]);
    if (reason === "lies outside") {
      throw RpcFailure.invalidParams(`acp-sandbox: ${what} ${p} lies outside the workspace ${workspace}`, { path: p, workspace });
    }
    if (reason) throw RpcFailure.invalidParams(`acp-sandbox: ${what} ${JSON.stringify(p)} ${reason}`, { path: p, workspace });
    return resolveReal(path.resolve(p));
  };
  return { cwd: check(cwd, "cwd"), additionalDirectories: (extra as string[]).map((d) => check(d, "additional directory")) };
}

export function installSessionRoutes(context: BridgeContext): void {
  const { relay, workspace, sessions } = context;
  for (const method of ["session/new", "session/load", "session/resume"]) {
    relay.onRequest("editor", method, async (message, request) => {
      const params = isObject(message["params"]) ? message["params"] : {};
      const roots = checkSessionDirectories(params, workspace);
      const mapped = sessionParamsToRuntime(params, context.sandbox().pathMap);
      const outcome = await request.forward({ ...message, params: mapped });
      if ("result" in outcome) {
        const result = outcome.result;
        const sessionId = method === "session/new" ? (isObject(result) ? result["sessionId"] : undefined) : params["sessionId"];
        if (typeof sessionId === "string") sessions.register(sessionId, roots);
      }
      return outcome;
    });
  }
  relay.onResponse("editor", "session/close", (outcome, request) => {
    const params = request["params"];
    if ("result" in outcome && isObject(params) && typeof params["sessionId"] === "string") void sessions.close(params["sessionId"]);
    return outcome;
  });
}
