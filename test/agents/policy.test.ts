// The real claude-agent-acp under the policy: deny rules and protected paths stop its own edits and commands, and the editor is never asked.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { BridgeProcess, type Message, serveEditorRequests } from "../support/bridge.js";
import { describeBackend } from "../support/ci.js";
import { AnthropicStandIn, type Reply, resultText, toolResults } from "./anthropic-stand-in.js";
import { bridgeEnv, CLAUDE, scratch, type Scratch } from "./support.js";

let standIn: AnthropicStandIn;
let s: Scratch;
let steps: Reply[] = [];

beforeAll(async () => {
  standIn = await AnthropicStandIn.start((request) => steps[Math.min(toolResults(request).length, steps.length - 1)]!);
});
afterAll(() => standIn?.close());
beforeEach(() => {
  s = scratch();
});
afterEach(() => s.cleanup());

const unavailable = existsSync(CLAUDE[0]!) ? undefined : `claude-agent-acp is not installed at ${CLAUDE[0]} (npm ci installs it as a dev dependency)`;

// The policy decides before any sandbox is involved, so `local` shows it; the sandboxes have their own suites.
describeBackend("claude-agent-acp under the policy", unavailable, () => {
  for (const version of [1, 2] as const) it(`protocol v${version}: its edit of a denied file, a denied command inside a compound line and a write to a git hook are refused without asking the editor`, async () => {
    const ws = s.workspace;
    const before = readFileSync(path.join(ws, "README.md"), "utf8");
    steps = [
      { blocks: [{ type: "tool_use", name: "Write", input: { file_path: path.join(ws, "README.md"), content: "overwritten\n" } }], stopReason: "tool_use" },
      { blocks: [{ type: "tool_use", name: "Bash", input: { command: "echo start > pushed.txt && git push --force 2>&1 | tail -1", description: "Push" } }], stopReason: "tool_use" },
      { blocks: [{ type: "tool_use", name: "Write", input: { file_path: path.join(ws, ".git", "hooks", "pre-commit"), content: "#!/bin/sh\necho pwned\n" } }], stopReason: "tool_use" },
      { blocks: [{ type: "tool_use", name: "Bash", input: { command: "echo ok > allowed.txt", description: "Leave a mark" } }], stopReason: "tool_use" },
      { blocks: [{ type: "text", text: "Done." }], stopReason: "end_turn" },
    ];
    const env = bridgeEnv(s, { ANTHROPIC_BASE_URL: standIn.url, ANTHROPIC_API_KEY: "sk-ant-stand-in-000000000000", CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1" });
    const flags = ["--sandbox", "local", "--workspace", ws, "--deny", "write:README.md", "--deny", "terminal:git push*", "--allow", "terminal:echo *"];
    const bridge = BridgeProcess.start(CLAUDE, flags, { cwd: ws, env });
    const prompts: Message[] = [];
    // An editor that would allow anything it is asked: whatever is refused, the policy refused.
    const stop = serveEditorRequests(bridge, (m) => {
      if (m["method"] !== "session/request_permission") return undefined;
      prompts.push(m);
      const allow = (m["params"].options as Array<{ optionId: string; kind: string }>).find((o) => o.kind === "allow_once")!;
      return { result: { outcome: { outcome: "selected", optionId: allow.optionId } } };
    });
    try {
      const init =
        version === 2
          ? await bridge.request("initialize", { protocolVersion: 2, info: { name: "test-editor", version: "1" }, capabilities: {} })
          : await bridge.initialize();
      expect(init["result"]?.protocolVersion, JSON.stringify(init)).toBe(version);
      const sessionId = await bridge.newSession(ws);
      const turn = await bridge.request("session/prompt", { sessionId, prompt: [{ type: "text", text: "Tidy up and push." }] }, "turn");
      // v1 answers the prompt when the turn ends; v2 answers at once and says so with an idle state update.
      const ended =
        version === 1
          ? turn["result"]?.stopReason
          : (await bridge.waitFor((m) => m["method"] === "session/update" && m["params"].update?.sessionUpdate === "state_update" && m["params"].update.state === "idle", 120_000))["params"].update.stopReason;
      expect(ended, JSON.stringify(turn) + bridge.stderr.slice(-3000)).toBe("end_turn");
    } finally {
      stop();
      await bridge.close(30_000);
    }
    // The truth, read from the host afterwards.
    expect(readFileSync(path.join(ws, "README.md"), "utf8")).toBe(before);
    expect(existsSync(path.join(ws, ".git", "hooks", "pre-commit"))).toBe(false);
    expect(existsSync(path.join(ws, "pushed.txt"))).toBe(false);
    expect(readFileSync(path.join(ws, "allowed.txt"), "utf8")).toBe("ok\n");
    // The editor was asked about none of it; the allowed command was answered by its rule.
    expect(prompts.map((p) => p["params"].toolCall?.title ?? p["params"].title)).toEqual([]);
    if (version === 2) expect(bridge.stderr).toContain("initialize: the editor asks for protocol version 2 (draft)");
    expect(bridge.stderr).toContain(`write ${ws}/README.md: reject-always (--deny write:README.md); answered reject`);
    expect(bridge.stderr).toContain("reject-always (--deny terminal:git push*, its command git push --force); answered reject");
    expect(bridge.stderr).toContain(`write ${ws}/.git/hooks/pre-commit: reject-always (the protected path **/.git/hooks/**`);
    expect(bridge.stderr).toContain("run echo ok > allowed.txt: allow-always (--allow terminal:echo *); answered allow-once");
    // Claude Code told its model each refusal.
    const results = toolResults(standIn.requests.filter((r) => r.path === "/v1/messages").at(-1)!.body);
    expect(results.slice(0, 3).map((r) => r.is_error)).toEqual([true, true, true]);
    expect(resultText(results[3]!)).not.toMatch(/denied|refused/i);
  }, 180_000);
});
