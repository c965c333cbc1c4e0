// The agent's own permission requests judged as the acts they describe, in the exact shapes of claude-agent-acp 0.101.0,
// codex-acp 0.13.0 and the ACP v2 draft (see fixtures/agent/permission-requests.ts for where each shape comes from).
import { mkdirSync, symlinkSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { claudeBash, claudeEdit, claudeRead, claudeWrite, codexExec, codexPatchAdd, v2ClaudeWrite, v2Command } from "../../fixtures/agent/permission-requests.js";
import type { BridgeProcess, Message } from "../support/bridge.js";
import { answerPrompts, type Harness, harness } from "../toolhost/support.js";
import { agentAsks, startRaw } from "./support.js";

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

/** A bridge whose editor answers every prompt it gets with `kind`, recording them. */
async function start(flags: string[], kind = "allow_once", initialize?: Message) {
  const started = await startRaw(h, flags, initialize);
  bridge = started.bridge;
  const { prompts, stop } = answerPrompts(started.bridge, () => kind);
  stops.push(stop);
  return { ...started, prompts };
}

const selected = (answer: Message) => answer["result"]?.outcome?.optionId;

describe("claude-agent-acp's requests (0.101.0 shapes)", () => {
  it("a deny rule refuses its Bash command, compound lines included, with its reject option and without asking the editor", async () => {
    const { bridge: b, sessionId, prompts } = await start(["--deny", "terminal:git push*", "--deny", "terminal:echo*"]);
    for (const [i, line] of ["git push --force; true", "git push --force 2>&1 | tail -1", "true && git push --force", "echo hi > x.txt", "bash -c 'g\\it push'"].entries()) {
      expect(selected(await agentAsks(b, claudeBash(sessionId, `toolu_0${i}`, line)))).toBe("reject");
    }
    expect(prompts).toHaveLength(0);
    await b.waitForStderr(
      `policy: permission request "git push --force 2>&1 | tail -1" (execute): run git push --force 2>&1 | tail -1: reject-always (--deny terminal:git push*, its command git push --force); answered reject`,
    );
  });

  it("a deny rule and a protected path refuse its Write and Edit; an edit outside the workspace is refused", async () => {
    mkdirSync(`${h.ws}/.git/hooks`, { recursive: true });
    symlinkSync(h.outside, `${h.ws}/escape`);
    const { bridge: b, sessionId, prompts } = await start(["--deny", "write:README.md"]);
    expect(selected(await agentAsks(b, claudeWrite(sessionId, "toolu_1", `${h.ws}/README.md`, "README.md", "pwned\n")))).toBe("reject");
    expect(selected(await agentAsks(b, claudeEdit(sessionId, "toolu_2", `${h.ws}/README.md`, "README.md", "a", "b")))).toBe("reject");
    expect(selected(await agentAsks(b, claudeWrite(sessionId, "toolu_3", `${h.ws}/.git/hooks/pre-commit`, ".git/hooks/pre-commit", "#!/bin/sh\n")))).toBe("reject");
    expect(selected(await agentAsks(b, claudeWrite(sessionId, "toolu_4", `${h.outside}/secret.txt`, `${h.outside}/secret.txt`, "x")))).toBe("reject");
    // Through a symbolic link that leads out of the workspace.
    expect(selected(await agentAsks(b, claudeWrite(sessionId, "toolu_5", `${h.ws}/escape/secret.txt`, "escape/secret.txt", "x")))).toBe("reject");
    // And with `..`.
    expect(selected(await agentAsks(b, claudeEdit(sessionId, "toolu_6", `${h.ws}/src/../../x`, "../x", "a", "b")))).toBe("reject");
    // A Bash line writing a denied file by name.
    expect(selected(await agentAsks(b, claudeBash(sessionId, "toolu_7", "printf 'x\\n' >> README.md")))).toBe("reject");
    expect(prompts).toHaveLength(0);
    await b.waitForStderr(`(--deny write:README.md); answered reject`);
    await b.waitForStderr(`: run printf 'x\\n' >> README.md: write ${h.ws}/README.md: reject-always (--deny write:README.md); answered reject`);
    await b.waitForStderr(`write ${h.ws}/.git/hooks/pre-commit: reject-always (the protected path **/.git/hooks/**`);
    await b.waitForStderr(`: reject-always (containment: ${h.ws}/escape/secret.txt lies outside the allowed directories (the directory ${h.ws}/escape is really ${h.outside})`);
  });

  it("allowed without asking only by the user's own rules; the defaults still ask the editor", async () => {
    const { bridge: b, sessionId, prompts } = await start(["--allow", "write:src/**", "--allow", "terminal:npm test*"]);
    expect(selected(await agentAsks(b, claudeWrite(sessionId, "toolu_1", `${h.ws}/src/new.js`, "src/new.js", "x")))).toBe("allow-once");
    expect(selected(await agentAsks(b, claudeBash(sessionId, "toolu_2", "npm test 2>&1")))).toBe("allow-once");
    expect(prompts).toHaveLength(0);
    // Reads are allowed by default for the bridge's own fs/read_text_file, but the agent's request still goes to the editor.
    const read = claudeRead(sessionId, "toolu_3", `${h.ws}/README.md`);
    expect(selected(await agentAsks(b, read))).toBe("allow-once");
    // A line only partly allowed, and a write no rule allows, are asked.
    expect(selected(await agentAsks(b, claudeBash(sessionId, "toolu_4", "npm test && git push")))).toBe("allow-once");
    expect(selected(await agentAsks(b, claudeWrite(sessionId, "toolu_5", `${h.ws}/README.md`, "README.md", "x")))).toBe("allow-once");
    expect(prompts.map((p) => p["params"].toolCall.toolCallId)).toEqual(["toolu_3", "toolu_4", "toolu_5"]);
    // The editor got the agent's request unchanged.
    expect(prompts[0]!["params"]).toEqual(read);
  });
});

describe("codex-acp's requests (0.13.0 shapes)", () => {
  it("its exec argv (bash -lc) is judged by every command; its patch to a protected path is refused", async () => {
    mkdirSync(`${h.ws}/.git/hooks`, { recursive: true });
    const { bridge: b, sessionId, prompts } = await start(["--deny", "terminal:git push*"]);
    expect(selected(await agentAsks(b, codexExec(sessionId, "call_1", ["bash", "-lc", "git status && git push --force"], h.ws)))).toBe("abort");
    expect(selected(await agentAsks(b, codexExec(sessionId, "call_2", ["/usr/bin/git", "push"], h.ws)))).toBe("abort");
    expect(selected(await agentAsks(b, codexPatchAdd(sessionId, "call_3", `${h.ws}/.git/hooks/post-checkout`, "#!/bin/sh\n")))).toBe("abort");
    expect(prompts).toHaveLength(0);
    // Its recognised reads (kind read, still a command) and other commands go to the editor.
    expect(selected(await agentAsks(b, codexExec(sessionId, "call_4", ["bash", "-lc", "cat README.md"], h.ws, "read")))).toBe("approved");
    expect(prompts).toHaveLength(1);
    await b.waitForStderr(`policy: permission request "git status && git push --force" (execute): run bash -lc 'git status && git push --force': reject-always (--deny terminal:git push*, its command git push --force); answered abort`);
  });
});

describe("requests the rules cannot map", () => {
  it("go to the editor unchanged, as before", async () => {
    const { bridge: b, sessionId, prompts } = await start(["--deny", "write"]);
    const params = { sessionId, toolCall: { toolCallId: "t1", title: "Fetch https://example.com", kind: "fetch", status: "pending", rawInput: { url: "https://example.com" } }, options: [{ optionId: "ok", name: "OK", kind: "allow_once" }] };
    expect(selected(await agentAsks(b, params))).toBe("ok");
    expect(prompts.map((p) => p["params"])).toEqual([params]);
  });
});

describe("protocol v2 (draft)", () => {
  const V2_INIT = { protocolVersion: 2, info: { name: "test-editor", version: "1" }, capabilities: { auth: { terminal: {} } } };

  it("initialize goes to the agent unchanged (no fs or terminal capabilities); v2 requests are judged, unknown subjects pass", async () => {
    const { bridge: b, sessionId, init, prompts } = await start(["--deny", "terminal:git push*", "--deny", "write:README.md"], "allow_once", V2_INIT);
    expect(init["result"].received.params).toEqual(V2_INIT);
    await b.waitForStderr("initialize: the editor asks for protocol version 2 (draft): relayed as it is, without fs or terminal capabilities");
    expect(selected(await agentAsks(b, v2Command(sessionId, "Run git push", "git push --force; true", h.ws, "call-1")))).toBe("reject");
    expect(selected(await agentAsks(b, v2ClaudeWrite(sessionId, "toolu_9", `${h.ws}/README.md`, "README.md", "x")))).toBe("reject");
    expect(prompts).toHaveLength(0);
    await b.waitForStderr(`policy: permission request "Run git push" (execute, v2): run git push --force; true: reject-always (--deny terminal:git push*, its command git push --force); answered reject`);
    // Allowed by no rule of the user's: to the editor, exactly as sent; so is a subject the bridge does not know.
    const asked = v2Command(sessionId, "Run ls", "ls -la", h.ws);
    const custom = { sessionId, title: "Use the camera", subject: { type: "_vendor/camera", device: 0 }, options: [{ optionId: "yes", name: "Yes", kind: "allow_once" }], _meta: { x: 1 } };
    expect(selected(await agentAsks(b, asked))).toBe("allow");
    expect(selected(await agentAsks(b, custom))).toBe("yes");
    expect(prompts.map((p) => p["params"])).toEqual([asked, custom]);
  });

  it("unknown v2 messages pass both ways unchanged", async () => {
    const { bridge: b, sessionId } = await start([], "allow_once", V2_INIT);
    const update = { jsonrpc: "2.0", method: "session/update", params: { sessionId, update: { sessionUpdate: "tool_call_update", toolCallId: "c1", title: "x", status: "in_progress" } } };
    await b.request("_fixture/write-line", { line: JSON.stringify(update) });
    const seen = await b.waitFor((m) => m["method"] === "session/update" && m["params"].update.toolCallId === "c1");
    expect(seen).toEqual(update);
    const listed = await b.request("session/list", { cursor: null });
    expect(listed["result"].received.params).toEqual({ cursor: null });
  });
});
