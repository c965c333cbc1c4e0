// terminal/*: commands run inside the sandbox under the policy; output, exit, kill and release per the ACP spec.
import type { JsonObject, JsonValue } from "../../src/util/json.js";
import type { ExitStatus } from "../../src/sandbox/types.js";
import { PathRefusedError, PromptCancelledError } from "../errors.js";
import { locateDirectory } from "../fs/locate.js";
import { envList, optionalInt, requireString, stringList } from "../params.js";
import { checkRequestPath } from "../paths.js";
import type { ToolHostState } from "../state.js";
import { planCommand } from "../terminals/command-line.js";
import { terminalSubject } from "../../src/policy/terminal-subject.js";
import { commandKey } from "../answered.js";
import { refusedWrite } from "../line-writes.js";

function exitJson(status: ExitStatus): JsonObject {
  return { exitCode: status.exitCode, signal: status.signal };
}

export async function createTerminalHandler(state: ToolHostState, params: JsonObject, signal?: AbortSignal): Promise<JsonValue> {
  const session = state.session(params["sessionId"]);
  const command = requireString(params, "command");
  if (command.includes("\0")) throw new PathRefusedError("acp-sandbox: command must not contain NUL bytes", { reason: "nul-byte" });
  const args = stringList(params, "args");
  const env = envList(params);
  const requestedLimit = optionalInt(params, "outputByteLimit", 0);
  const sandbox = state.sandbox();
  const requestedCwd = typeof params["cwd"] === "string" ? params["cwd"] : undefined;
  const hostCwd = requestedCwd === undefined ? session.cwd : checkRequestPath(requestedCwd, session.roots, "cwd", (p) => sandbox.pathMap.toHost(p));
  const cwd = await locateDirectory(hostCwd, session.roots, requestedCwd ?? session.cwd);
  const runtimeCwd = sandbox.pathMap.toRuntime(cwd.real);
  if (runtimeCwd === undefined) throw new PathRefusedError(`acp-sandbox: cwd ${hostCwd} is not visible inside the sandbox`, { path: hostCwd, reason: "unmapped" });
  const plan = planCommand(command, args);
  const subject = terminalSubject(plan);
  // The line's own rules first (a deny names the command); then the files it writes by name.
  const own = state.permissions.decide(session.sessionId, subject).decision;
  const write = own === "reject-always" || own === "reject-once" ? undefined : await refusedWrite(state, session, subject.writes, runtimeCwd);
  if (write) state.permissions.refuse(`run ${plan.line}: ${write.what}`, write.decision);
  await state.permissions.require({
    sessionId: session.sessionId,
    subject,
    signal,
    act: { commands: subject.commands.map((c) => commandKey(c.words)) },
    what: `run ${plan.line}`,
    prompt: () => ({
      title: `Run ${plan.line}`,
      kind: "execute",
      locations: [cwd.real],
      rawInput: { command, args, cwd: cwd.real, env: Object.keys(env) },
    }),
  });
  const limit = Math.min(requestedLimit ?? state.config.terminalOutputBytes, state.config.terminalOutputBytes);
  const { terminalId, terminal } = await state.terminals.create(session.sessionId, sandbox, { command: plan.command, args: plan.args, cwd: runtimeCwd, env }, limit, (reason) =>
    state.log.warn(`terminal: no pseudo-terminal (${reason}); running ${plan.line} with pipes`),
  );
  state.log.info(`terminal ${terminalId}: started ${plan.line} in ${cwd.real} (pid ${terminal.pid ?? "?"}, ${terminal.tty ? "pty" : "pipes"})`);
  return { terminalId };
}

export async function terminalOutputHandler(state: ToolHostState, params: JsonObject): Promise<JsonValue> {
  const session = state.session(params["sessionId"]);
  const out = state.terminals.get(session.sessionId, params["terminalId"]).output();
  return { output: out.output, truncated: out.truncated, ...(out.exitStatus ? { exitStatus: exitJson(out.exitStatus) } : {}) };
}

export async function waitForExitHandler(state: ToolHostState, params: JsonObject, signal: AbortSignal): Promise<JsonValue> {
  const session = state.session(params["sessionId"]);
  const terminal = state.terminals.get(session.sessionId, params["terminalId"]);
  const cancelled = new Promise<never>((_, reject) => {
    const onAbort = () => reject(new PromptCancelledError("acp-sandbox: terminal/wait_for_exit was cancelled", { reason: "cancelled" }));
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  cancelled.catch(() => {});
  return exitJson(await Promise.race([terminal.exited, cancelled]));
}

export async function killTerminalHandler(state: ToolHostState, params: JsonObject): Promise<JsonValue> {
  const session = state.session(params["sessionId"]);
  const terminalId = params["terminalId"];
  const status = await state.terminals.get(session.sessionId, terminalId).kill(state.terminals.graceMs);
  state.log.info(`terminal ${String(terminalId)}: killed (${JSON.stringify(status)})`);
  return {};
}

export async function releaseTerminalHandler(state: ToolHostState, params: JsonObject): Promise<JsonValue> {
  const session = state.session(params["sessionId"]);
  await state.terminals.release(session.sessionId, params["terminalId"]);
  state.log.debug(`terminal ${String(params["terminalId"])}: released`);
  return {};
}
