// terminal/* end to end: commands run in the sandbox (a PTY), with the filtered env; output, exit, kill, release, cleanup.
import { mkdirSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { BridgeProcess } from "../support/bridge.js";
import { eventually, processesMatching } from "../support/processes.js";
import { answerPrompts, ERR, type Harness, harness, startBridge, turn } from "./support.js";

let h: Harness;
let bridge: BridgeProcess | undefined;
const stops: Array<() => void> = [];
beforeEach(() => {
  h = harness();
});
afterEach(async () => {
  for (const stop of stops.splice(0)) stop();
  await bridge?.close();
  bridge = undefined;
  h.cleanup();
});

async function start(flags: string[] = ["--allow", "terminal"], env: NodeJS.ProcessEnv = {}) {
  h.env["ACP_TOOLHOST_BRIDGE_ONLY"] = "from the bridge's own environment";
  Object.assign(h.env, env);
  const started = await startBridge(h, flags);
  bridge = started.bridge;
  return started;
}

/** A sleep long and odd enough to find in the process table and to be ours. */
const marker = () => String(3000 + Math.floor(Math.random() * 6000));
/** Live `sleep N` processes (not the shell whose command line mentions them). */
const sleeps = (n: string) => processesMatching(`sleep ${n}`).filter((p) => new RegExp(`^(\\S*/)?sleep ${n}$`).test(p.cmdline)).length;

describe("running commands", () => {
  it("runs in a pseudo-terminal inside the sandbox and reports output and exit status", async () => {
    const { bridge: b, sessionId } = await start();
    const [tty, failing] = await turn(b, sessionId, [
      { op: "terminal", command: "sh", args: ["-c", "test -t 1 && echo on-a-tty; echo done"] },
      { op: "terminal", command: "sh -c 'exit 3'" },
    ]);
    expect(tty!.result.ok.exit).toEqual({ exitCode: 0, signal: null });
    expect(tty!.result.ok.output).toEqual({ output: "on-a-tty\r\ndone\r\n", truncated: false, exitStatus: { exitCode: 0, signal: null } });
    expect(failing!.result.ok.exit).toEqual({ exitCode: 3, signal: null });
    await b.waitForStderr(/terminal term-1: started sh -c .* \(pid \d+, pty\)/);
  });

  it("the environment is the sandbox's filtered one plus the request's, never the bridge's own", async () => {
    const { bridge: b, sessionId } = await start(["--allow", "terminal"], { MY_API_TOKEN: "s3cr3t-value-123" });
    const [r] = await turn(b, sessionId, [
      {
        op: "terminal",
        command: "sh",
        args: ["-c", 'echo "req=$REQ_VAR bridge=${ACP_TOOLHOST_BRIDGE_ONLY:-unset} token=${MY_API_TOKEN:-unset} path=${PATH:+set}"'],
        env: { REQ_VAR: "from the request" },
      },
    ]);
    expect(r!.result.ok.output.output).toBe("req=from the request bridge=unset token=unset path=set\r\n");
  });

  it("cwd: the session's by default, a directory inside when given; outside or missing refused", async () => {
    mkdirSync(`${h.ws}/sub/dir`, { recursive: true });
    const { bridge: b, sessionId } = await start();
    const [here, sub, outside, missing, file] = await turn(b, sessionId, [
      { op: "terminal", command: "pwd" },
      { op: "terminal", command: "pwd", cwd: `${h.ws}/sub/dir` },
      { op: "terminal", command: "pwd", cwd: h.outside },
      { op: "terminal", command: "pwd", cwd: `${h.ws}/nope` },
      { op: "terminal", command: "pwd", cwd: `${h.ws}/README.md` },
    ]);
    expect(here!.result.ok.output.output).toBe(`${h.ws}\r\n`);
    expect(sub!.result.ok.output.output).toBe(`${h.ws}/sub/dir\r\n`);
    expect(outside!.result.error).toEqual({ code: ERR.invalidParams, message: `acp-sandbox: ${h.outside} lies outside the allowed directories; allowed: ${h.ws}` });
    expect(missing!.result.error).toEqual({ code: ERR.resourceNotFound, message: `acp-sandbox: the directory ${h.ws}/nope does not exist` });
    expect(file!.result.error).toEqual({ code: ERR.invalidParams, message: `acp-sandbox: ${h.ws}/README.md is not a directory` });
  });

  it("output beyond outputByteLimit is cut from the start at a character boundary", async () => {
    const { bridge: b, sessionId } = await start();
    const [r] = await turn(b, sessionId, [{ op: "terminal", command: "printf", args: ["ab€€€€"], outputByteLimit: 10 }]);
    const out = r!.result.ok.output;
    // 14 bytes: keeping the last 10 would start inside a €, so the cut moves to the next character: 9 bytes.
    expect(out).toEqual({ output: "€€€", truncated: true, exitStatus: { exitCode: 0, signal: null } });
  });

  it("no output is lost at exit, however fast the command ends", async () => {
    const { bridge: b, sessionId } = await start();
    const expected = Array.from({ length: 30000 }, (_, i) => `${i + 1}\r\n`).join("");
    const commands = Array.from({ length: 3 }, () => ({ command: "seq", args: ["1", "30000"] }));
    const [r] = await turn(b, sessionId, [{ op: "parallel-terminals", commands }]);
    for (const outcome of r!.result) {
      expect(outcome.ok.output.output.length).toBe(expected.length);
      expect(outcome.ok.output.output === expected).toBe(true);
    }
  });

  it("a command that cannot start is a clear error", async () => {
    const { bridge: b, sessionId } = await start();
    const [r] = await turn(b, sessionId, [{ op: "terminal", command: "no-such-command-xyz" }]);
    expect(r!.result.error.message).toMatch(/no-such-command-xyz not found on PATH/);
  });
});

describe("kill, release, unknown ids", () => {
  it("kill stops the command (the terminal stays readable); release of a running one kills it and its children", async () => {
    const { bridge: b, sessionId } = await start();
    const n = marker();
    const call = async (method: string, params: Record<string, unknown>) => {
      const [r] = await turn(b, sessionId, [{ op: "parallel", requests: [{ method, params }] }]);
      return r!.result[0];
    };
    const { terminalId: killedId } = (await call("terminal/create", { command: "sh", args: ["-c", `echo started; sleep ${n}`] })).ok;
    expect(await eventually(() => sleeps(n) === 1)).toBe(true);
    expect(await call("terminal/kill", { terminalId: killedId })).toEqual({ ok: {} });
    expect(await call("terminal/wait_for_exit", { terminalId: killedId })).toEqual({ ok: { exitCode: null, signal: "SIGTERM" } });
    expect(await call("terminal/output", { terminalId: killedId })).toEqual({ ok: { output: "started\r\n", truncated: false, exitStatus: { exitCode: null, signal: "SIGTERM" } } });
    expect(sleeps(n)).toBe(0);
    expect(await call("terminal/release", { terminalId: killedId })).toEqual({ ok: {} });

    const m = marker();
    const [created] = await turn(b, sessionId, [{ op: "parallel", requests: [{ method: "terminal/create", params: { command: "sh", args: ["-c", `sleep ${m} & sleep ${m}; wait`] } }] }]);
    const terminalId = created!.result[0].ok.terminalId as string;
    expect(await eventually(() => sleeps(m) === 2)).toBe(true);
    const [released] = await turn(b, sessionId, [{ op: "parallel", requests: [{ method: "terminal/release", params: { terminalId } }, { method: "terminal/output", params: { terminalId } }] }]);
    expect(released!.result[0]).toEqual({ ok: {} });
    expect(released!.result[1].error.code).toBe(ERR.resourceNotFound);
    expect(await eventually(() => sleeps(m) === 0)).toBe(true);
  });

  it("an unknown terminalId is resourceNotFound for every terminal method", async () => {
    const { bridge: b, sessionId } = await start();
    const methods = ["terminal/output", "terminal/wait_for_exit", "terminal/kill", "terminal/release"];
    const [r] = await turn(b, sessionId, [{ op: "parallel", requests: methods.map((method) => ({ method, params: { terminalId: "term-999" } })) }]);
    for (const outcome of r!.result) {
      expect(outcome.error).toEqual({ code: ERR.resourceNotFound, message: `acp-sandbox: unknown terminal "term-999" in session ${sessionId} (never created, or released)` });
    }
  });
});

describe("many terminals", () => {
  it("runs terminals in parallel, each with its own output", async () => {
    const { bridge: b, sessionId } = await start();
    const commands = Array.from({ length: 8 }, (_, i) => ({ command: "sh", args: ["-c", `echo terminal-${i}; exit ${i}`] }));
    const [r] = await turn(b, sessionId, [{ op: "parallel-terminals", commands }]);
    const outcomes = r!.result as Array<{ ok: { exit: { exitCode: number }; output: { output: string } } }>;
    expect(outcomes.map((o) => o.ok.output.output)).toEqual(commands.map((_, i) => `terminal-${i}\r\n`));
    expect(outcomes.map((o) => o.ok.exit.exitCode)).toEqual(commands.map((_, i) => i));
  });

  it("caps open terminals (--max-terminals), and the bridge's end kills every one left running", async () => {
    const { bridge: b, sessionId } = await start(["--allow", "terminal", "--max-terminals", "2"]);
    const n = marker();
    const create = { method: "terminal/create", params: { command: "sleep", args: [n] } };
    const [r] = await turn(b, sessionId, [{ op: "parallel", requests: [create, create, create] }]);
    const outcomes = r!.result as Array<{ ok?: unknown; error?: { code: number; message: string } }>;
    expect(outcomes.filter((o) => o.ok)).toHaveLength(2);
    expect(outcomes.filter((o) => o.error)).toEqual([
      { error: { code: ERR.invalidParams, message: "acp-sandbox: too many terminals (2 open, the limit is 2); release one first, or raise --max-terminals" } },
    ]);
    expect(await eventually(() => sleeps(n) === 2)).toBe(true);
    await b.close();
    bridge = undefined;
    expect(await eventually(() => sleeps(n) === 0)).toBe(true);
  });
});

describe("policy", () => {
  it("commands are asked by default: a synthesized execute tool call; the editor never gets terminal requests", async () => {
    const { bridge: b, sessionId } = await startBridge(h, [], { fs: { readTextFile: true, writeTextFile: true }, terminal: true });
    bridge = b;
    const { prompts, stop } = answerPrompts(b, (m) => (String(m["params"].toolCall.title).includes("rm") ? "reject_once" : "allow_once"));
    stops.push(stop);
    const [ok, refused] = await turn(b, sessionId, [
      { op: "terminal", command: "echo", args: ["hi there"] },
      { op: "terminal", command: "rm -rf build" },
    ]);
    expect(ok!.result.ok.output.output).toBe("hi there\r\n");
    expect(refused!.result.error).toEqual({ code: ERR.invalidParams, message: "acp-sandbox: run rm -rf build refused by the editor's answer: reject once" });
    expect(prompts[0]!["params"].toolCall).toMatchObject({ title: "Run echo 'hi there'", kind: "execute", locations: [{ path: h.ws }], rawInput: { command: "echo", args: ["hi there"], cwd: h.ws } });
    expect(b.messages.filter((m) => String(m["method"] ?? "").startsWith("terminal/"))).toEqual([]);
  });

  it("command rules: allow runs without asking, deny refuses; * never matches across ; or &&", async () => {
    const { bridge: b, sessionId } = await start(["--allow", "terminal:echo *", "--deny", "terminal:git push*"]);
    const { prompts, stop } = answerPrompts(b, () => "reject_once");
    stops.push(stop);
    const [echo, push, chained] = await turn(b, sessionId, [
      { op: "terminal", command: "echo", args: ["allowed"] },
      { op: "terminal", command: "git", args: ["push", "--force"] },
      { op: "terminal", command: "echo ok; touch pwned" },
    ]);
    expect(echo!.result.ok.output.output).toBe("allowed\r\n");
    expect(push!.result.error.message).toBe("acp-sandbox: run git push --force refused by --deny terminal:git push*");
    expect(chained!.result.error.message).toBe("acp-sandbox: run echo ok; touch pwned refused by the editor's answer: reject once");
    expect(prompts.map((p) => p["params"].toolCall.title)).toEqual(["Run echo ok; touch pwned"]);
  });
});
