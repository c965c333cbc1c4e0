// The permission policy end to end: the agent's own requests, cancellation, --remember, the config file and the workspace's.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BRIDGE, BridgeProcess, RAW_AGENT, SCRIPTED_AGENT } from "../support/bridge.js";
import { answerPrompts, ERR, type Harness, harness, startBridge, turn, writeConfig } from "./support.js";

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

async function start(flags: string[] = []) {
  const started = await startBridge(h, flags);
  bridge = started.bridge;
  return started;
}

function cli(args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BRIDGE, ...args], { env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    child.stdin.end();
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("the agent's own permission requests", () => {
  it("go to the editor unchanged and the editor's answer comes back unchanged", async () => {
    const { bridge: b, sessionId } = await start();
    const { prompts, stop } = answerPrompts(b, () => "reject_once");
    stops.push(stop);
    const [r] = await turn(b, sessionId, [{ op: "permission", title: "Edit src/math.js", kind: "edit", id: "tc-7" }]);
    expect(r!.result).toEqual({ ok: { outcome: { outcome: "selected", optionId: "reject" } } });
    expect(prompts).toHaveLength(1);
    expect(prompts[0]!["params"]).toEqual({
      sessionId,
      toolCall: { toolCallId: "tc-7", title: "Edit src/math.js", kind: "edit", status: "pending" },
      options: [
        { optionId: "allow", name: "Allow", kind: "allow_once" },
        { optionId: "allow-always", name: "Always allow", kind: "allow_always" },
        { optionId: "reject", name: "Reject", kind: "reject_once" },
      ],
    });
  });

  it("a rule decides them without asking, picking the agent's own option of that kind", async () => {
    writeConfig(h, { policy: { allow: [{ op: "permission", kind: "read" }], deny: [{ op: "permission", kind: "execute", title: "rm *" }] } });
    const { bridge: b, sessionId } = await start();
    const { prompts, stop } = answerPrompts(b, () => "allow_once");
    stops.push(stop);
    const [read, rm] = await turn(b, sessionId, [
      { op: "permission", title: "Read README.md", kind: "read" },
      { op: "permission", title: "rm -rf build", kind: "execute" },
    ]);
    expect(read!.result.ok.outcome).toEqual({ outcome: "selected", optionId: "allow" });
    expect(rm!.result.ok.outcome).toEqual({ outcome: "selected", optionId: "reject" });
    expect(prompts).toHaveLength(0);
    await b.waitForStderr(`policy: permission request "rm -rf build" (execute): reject-always (rule deny[0] from ${h.configFile}); answered reject`);
  });

  it("an always answer from the editor is remembered for the session", async () => {
    const { bridge: b, sessionId } = await start();
    const { prompts, stop } = answerPrompts(b, () => "allow_always");
    stops.push(stop);
    const results = await turn(b, sessionId, [
      { op: "permission", title: "Run tests", kind: "execute" },
      { op: "permission", title: "Run tests", kind: "execute" },
    ]);
    expect(results.map((r) => r.result.ok.outcome.optionId)).toEqual(["allow-always", "allow"]);
    expect(prompts).toHaveLength(1);
  });
});

describe("terminal/create under shell-line rules", () => {
  it("a deny rule matching any command of the line refuses it; a line only partly allowed is asked", async () => {
    const { bridge: b, sessionId } = await start(["--deny", "terminal:git push*", "--allow", "terminal:echo *"]);
    const { prompts, stop } = answerPrompts(b, () => "reject_once");
    stops.push(stop);
    const [pushed, echoed, mixed] = await turn(b, sessionId, [
      { op: "terminal", command: "echo start && git push --force 2>&1 | tail -1" },
      { op: "terminal", command: "echo one; echo two > two.txt" },
      { op: "terminal", command: "echo one && touch made.txt" },
    ]);
    expect(pushed!.result.error).toEqual({
      code: ERR.invalidParams,
      message: "acp-sandbox: run echo start && git push --force 2>&1 | tail -1 refused by --deny terminal:git push*, its command git push --force",
    });
    expect(echoed!.result.ok.exit).toEqual({ exitCode: 0, signal: null });
    expect(existsSync(`${h.ws}/two.txt`)).toBe(true);
    expect(mixed!.result.error.message).toBe("acp-sandbox: run echo one && touch made.txt refused by the editor's answer: reject once");
    expect(existsSync(`${h.ws}/made.txt`)).toBe(false);
    expect(prompts).toHaveLength(1);
  });

  it("a file the line writes by name is judged as a write: a deny rule refuses the line", async () => {
    const { bridge: b, sessionId } = await start(["--deny", "write:README.md", "--allow", "terminal:echo *", "--allow", "terminal:cat*"]);
    const [readme, tee, fine] = await turn(b, sessionId, [
      { op: "terminal", command: "echo pwned > README.md" },
      { op: "terminal", command: "sh", args: ["-c", "echo pwned | cat | tee -a ./README.md"] },
      { op: "terminal", command: "echo fine > fine.txt" },
    ]);
    expect(readme!.result.error.message).toBe(`acp-sandbox: run echo pwned > README.md: write ${h.ws}/README.md refused by --deny write:README.md`);
    expect(tee!.result.error.message).toBe(`acp-sandbox: run sh -c 'echo pwned | cat | tee -a ./README.md': write ${h.ws}/README.md refused by --deny write:README.md`);
    expect(fine!.result.ok.exit).toEqual({ exitCode: 0, signal: null });
    expect(readFileSync(`${h.ws}/README.md`, "utf8")).not.toContain("pwned");
  });
});

describe("cancellation", () => {
  it("a turn cancelled while the ToolHost's prompt is open answers it cancelled; the write does not happen", async () => {
    const { bridge: b, sessionId } = await start();
    const { prompts, stop } = answerPrompts(b, () => undefined);
    stops.push(stop);
    const turnDone = b.prompt(sessionId, [
      { op: "write", path: `${h.ws}/pending.txt`, content: "x" },
      { op: "say", text: "after" },
    ]);
    await b.waitFor((m) => m["method"] === "session/request_permission");
    b.notify("session/cancel", { sessionId });
    const response = await turnDone;
    expect(response["result"].stopReason).toBe("cancelled");
    const [write] = b.results();
    expect(write!.result.error).toEqual({ code: ERR.cancelled, message: `acp-sandbox: write ${h.ws}/pending.txt: the permission prompt was cancelled` });
    expect(existsSync(`${h.ws}/pending.txt`)).toBe(false);
    expect(prompts).toHaveLength(1);
    await b.waitForStderr("session/cancel: answered 1 open permission prompt(s) with cancelled");
  });

  it("the agent withdrawing its request ($/cancel_request) takes the prompt down in the editor too", async () => {
    const b = BridgeProcess.start([process.execPath, RAW_AGENT], ["--sandbox", "local", "--workspace", h.ws], { env: h.env });
    bridge = b;
    await b.initialize();
    const sessionId = await b.newSession(h.ws);
    const agentSays = (message: unknown) => b.request("_fixture/write-line", { line: JSON.stringify(message) });
    await agentSays({ jsonrpc: "2.0", id: "w1", method: "fs/write_text_file", params: { sessionId, path: `${h.ws}/pending.txt`, content: "x" } });
    const prompt = await b.waitFor((m) => m["method"] === "session/request_permission");
    await agentSays({ jsonrpc: "2.0", method: "$/cancel_request", params: { requestId: "w1" } });
    // The agent gets its request answered as cancelled; the editor is told to drop the prompt it holds.
    const answered = await b.waitFor((m) => m["method"] === "_fixture/response" && m["params"].received.id === "w1");
    expect(answered["params"].received.error).toEqual({
      code: ERR.cancelled,
      message: `acp-sandbox: write ${h.ws}/pending.txt: the permission prompt was cancelled`,
      data: { reason: "cancelled" },
    });
    const withdrawn = await b.waitFor((m) => m["method"] === "$/cancel_request");
    expect(withdrawn["params"]).toEqual({ requestId: prompt["id"] });
    // The editor's late answer changes nothing (the next request is read after it, so it has been handled).
    b.send({ jsonrpc: "2.0", id: prompt["id"], result: { outcome: { outcome: "selected", optionId: "allow-once" } } });
    await b.request("_fixture/echo-line", {});
    expect(existsSync(`${h.ws}/pending.txt`)).toBe(false);
    expect(b.stderr).not.toMatch(/nobody is waiting for/);
  });

  it("a turn cancelled while the agent's own request is open answers it with the cancelled outcome", async () => {
    const { bridge: b, sessionId } = await start();
    const { stop } = answerPrompts(b, () => undefined);
    stops.push(stop);
    const turnDone = b.prompt(sessionId, [{ op: "permission", title: "Deploy", kind: "execute" }]);
    await b.waitFor((m) => m["method"] === "session/request_permission");
    b.notify("session/cancel", { sessionId });
    await turnDone;
    expect(b.results()[0]!.result).toEqual({ ok: { outcome: { outcome: "cancelled" } } });
  });
});

describe("--remember", () => {
  it("keeps always answers for the workspace across bridges; without it they last one session", async () => {
    const first = await start(["--remember"]);
    const answered = answerPrompts(first.bridge, () => "allow_always");
    await turn(first.bridge, first.sessionId, [{ op: "write", path: `${h.ws}/kept.txt`, content: "1" }]);
    answered.stop();
    expect(answered.prompts).toHaveLength(1);
    await first.bridge.close();

    const second = await start(["--remember"]);
    const again = answerPrompts(second.bridge, () => "reject_once");
    stops.push(again.stop);
    const [w] = await turn(second.bridge, second.sessionId, [{ op: "write", path: `${h.ws}/kept.txt`, content: "2" }]);
    expect(w!.result).toEqual({ ok: {} });
    expect(again.prompts).toHaveLength(0);
    await second.bridge.waitForStderr(/policy: write .*kept\.txt: allow-always \(a decision remembered in .*acp-sandbox\/remembered\/[0-9a-f]+\.json/);
    await second.bridge.close();

    const third = await start();
    const asked = answerPrompts(third.bridge, () => "reject_once");
    stops.push(asked.stop);
    const [refused] = await turn(third.bridge, third.sessionId, [{ op: "write", path: `${h.ws}/kept.txt`, content: "3" }]);
    expect(refused!.result.error.code).toBe(ERR.invalidParams);
    expect(asked.prompts).toHaveLength(1);
    expect(readFileSync(`${h.ws}/kept.txt`, "utf8")).toBe("2");
  });
});

describe("the configuration file", () => {
  const agent = ["--", process.execPath, SCRIPTED_AGENT];

  it("an invalid file is refused at startup, naming the file and each bad key", async () => {
    writeConfig(h, { policy: { deny: [{ op: "exec" }, "write:"], maxTerminals: 0, directories: [{ path: "/tmp", access: "rw" }] }, sandbx: {} });
    const ran = await cli(["--sandbox", "local", "--workspace", h.ws, ...agent], h.env);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toBe("");
    expect(ran.stderr).toContain(`acp-sandbox: error: invalid configuration in ${h.configFile}: `);
    expect(ran.stderr).toContain("sandbx: unknown key");
    expect(ran.stderr).toContain('policy.deny[0].op: expected one of read, write, terminal, permission, got "exec"');
    expect(ran.stderr).toContain('policy.deny[1]: the pattern must not be empty in "write:"');
    expect(ran.stderr).toContain("policy.maxTerminals: maxTerminals must be at least 1");
    expect(ran.stderr).toContain('policy.directories[0].access: expected "read" or "write", got "rw"');
    expect(ran.stderr).not.toMatch(/\n\s+at /);
  });

  it("not JSON, or a --config file that does not exist: refused", async () => {
    writeConfig(h, "{ policy: ");
    const broken = await cli(["--sandbox", "local", "--workspace", h.ws, ...agent], h.env);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(new RegExp(`invalid configuration in ${h.configFile}: not valid JSON`));
    const missing = await cli(["--sandbox", "local", "--workspace", h.ws, "--config", `${h.ws}/nope.json`, ...agent], h.env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`the configuration file ${h.ws}/nope.json does not exist`);
  });

  it("grants extra directories, read-only or read-write", async () => {
    writeConfig(h, { policy: { directories: [{ path: h.outside, access: "read" }] } });
    const { bridge: b, sessionId } = await start(["--allow", "write"]);
    const [read, write] = await turn(b, sessionId, [
      { op: "read", path: `${h.outside}/secret.txt` },
      { op: "write", path: `${h.outside}/secret.txt`, content: "x" },
    ]);
    expect(read!.result).toEqual({ ok: { content: "TOP SECRET\n" } });
    expect(write!.result.error).toEqual({ code: ERR.invalidParams, message: `acp-sandbox: ${h.outside}/secret.txt lies in ${h.outside}, which is read-only` });
  });
});

describe("the workspace's own configuration", () => {
  it("can narrow (deny, ask) but never widen (allow, directories, protected paths)", async () => {
    writeFileSync(
      `${h.ws}/.acp-sandbox.json`,
      JSON.stringify({
        policy: {
          allow: ["write", "terminal"],
          ask: ["write:.vscode/**", "read:docs/**"],
          deny: ["read:secrets/**"],
          directories: [{ path: h.outside, access: "write" }],
        },
      }),
    );
    writeFileSync(`${h.ws}/secrets.txt`, "not under secrets/\n");
    mkdirSync(`${h.ws}/secrets`);
    writeFileSync(`${h.ws}/secrets/key.txt`, "key\n");
    mkdirSync(`${h.ws}/docs`);
    writeFileSync(`${h.ws}/docs/guide.md`, "guide\n");
    const { bridge: b, sessionId } = await start();
    const { prompts, stop } = answerPrompts(b, () => "reject_once");
    stops.push(stop);
    const [write, vscode, outside, denied, asked, fine] = await turn(b, sessionId, [
      { op: "write", path: `${h.ws}/a.txt`, content: "x" },
      { op: "write", path: `${h.ws}/.vscode/tasks.json`, content: "{}" },
      { op: "read", path: `${h.outside}/secret.txt` },
      { op: "read", path: `${h.ws}/secrets/key.txt` },
      { op: "read", path: `${h.ws}/docs/guide.md` },
      { op: "read", path: `${h.ws}/secrets.txt` },
    ]);
    // Its allow rules are ignored: the write is still asked (and the editor refuses it).
    expect(write!.result.error.message).toBe(`acp-sandbox: write ${h.ws}/a.txt refused by the editor's answer: reject once`);
    // Its ask rule cannot open a protected path.
    expect(vscode!.result.error.message).toMatch(/refused by the protected path \*\*\/\.vscode\/\*\*/);
    // Its directories are ignored.
    expect(outside!.result.error.message).toMatch(/lies outside the allowed directories/);
    // Its deny and ask rules narrow: a read allowed by default is refused, another one asked.
    expect(denied!.result.error.message).toBe(`acp-sandbox: read ${h.ws}/secrets/key.txt refused by rule deny[0] from ${h.ws}/.acp-sandbox.json`);
    expect(asked!.result.error.message).toBe(`acp-sandbox: read ${h.ws}/docs/guide.md refused by the editor's answer: reject once`);
    expect(fine!.result).toEqual({ ok: { content: "not under secrets/\n" } });
    expect(prompts.map((p) => p["params"].toolCall.title)).toEqual([`Create ${h.ws}/a.txt`, `Read ${h.ws}/docs/guide.md`]);
    await b.waitForStderr(`.acp-sandbox.json: ignored policy.allow (2 rules): a workspace's configuration may only narrow the policy (deny, ask)`);
    await b.waitForStderr(`.acp-sandbox.json: ignored policy.directories: a workspace's configuration cannot grant directories`);
  });

  it("its deny rules refuse, naming the workspace file", async () => {
    writeFileSync(`${h.ws}/.acp-sandbox.json`, JSON.stringify({ policy: { deny: ["read:*.md"] } }));
    const { bridge: b, sessionId } = await start();
    const [r] = await turn(b, sessionId, [{ op: "read", path: `${h.ws}/README.md` }]);
    expect(r!.result.error).toEqual({ code: ERR.invalidParams, message: `acp-sandbox: read ${h.ws}/README.md refused by rule deny[0] from ${h.ws}/.acp-sandbox.json` });
  });
});
