// The real claude-agent-acp (Claude Code) through the bridge on every backend, against a local stand-in of the Anthropic API.
import { readFileSync } from "node:fs";
import os from "node:os";
import { afterAll, beforeAll, beforeEach, afterEach, expect, it } from "vitest";
import { ensureLocalNodeImage } from "../../src/sandbox/docker/local-image.js";
import { BridgeProcess, serveEditorRequests } from "../support/bridge.js";
import { describeBackend } from "../support/ci.js";
import { backends } from "../sandbox/support.js";
import { AnthropicStandIn, isConversation, resultText, toolResults } from "./anthropic-stand-in.js";
import { claudeScript } from "./claude-script.js";
import { acpxExec, bridgeCommand, bridgeEnv, CLAUDE, networkFlags, scratch, type Scratch } from "./support.js";

const WORD = "PELICAN-4711";
let standIn: AnthropicStandIn;
let s: Scratch;
let script: ReturnType<typeof claudeScript> | undefined;

beforeAll(async () => {
  // One stand-in for the file: the tool scenario, or, for a conversation about the word, plain answers.
  standIn = await AnthropicStandIn.start((request) => {
    if (JSON.stringify(request.messages).includes(WORD)) return { blocks: [{ type: "text", text: "Noted." }], stopReason: "end_turn" };
    if (!script) throw new Error("no scenario is running");
    return script(request);
  });
});
afterAll(() => standIn?.close());
beforeEach(() => {
  s = scratch();
  script = claudeScript(s.workspace, s.marker);
  standIn.requests.length = 0;
});
afterEach(() => s.cleanup());

function claudeEnv(): NodeJS.ProcessEnv {
  return bridgeEnv(s, { ANTHROPIC_BASE_URL: standIn.url, ANTHROPIC_API_KEY: "sk-ant-stand-in-000000000000", CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1" });
}

for (const backend of await backends()) {
  const flags = backend.unavailable ? undefined : networkFlags(backend, 1);
  const unavailable = backend.unavailable ?? (flags ? undefined : "the bridge has no --network allow yet, and a container cannot reach a stand-in that listens on loopback only");
  describeBackend(`claude-agent-acp through ${backend.name}`, unavailable, () => {
    const bridgeFlags = () => [...backend.flags, ...networkFlags(backend, standIn.port)!];
    beforeAll(async () => {
      if (backend.docker) await ensureLocalNodeImage();
    }, 120_000);

    it("reads, runs a shell command, writes and edits through acpx; the files land on the host and the shell ran inside", async () => {
      const out = await acpxExec(bridgeCommand(bridgeFlags(), s.workspace, CLAUDE), s.workspace, "Look around, then leave a note.", claudeEnv());
      expect(out.code, out.stderr.slice(-3000)).toBe(0);
      expect(out.lines.find((l) => l.result?.stopReason)?.result.stopReason).toBe("end_turn");
      expect(readFileSync(`${s.workspace}/notes.txt`, "utf8")).toBe("first line\nsecond line, edited\n");
      // Claude Code's own permission requests (its Bash, Write and Edit tools) reached the editor.
      const asked = out.lines.filter((l) => l.method === "session/request_permission");
      expect(asked.length).toBeGreaterThanOrEqual(3);
      // The conversation went the whole way: each tool's result came back to the model.
      const results = toolResults(standIn.conversation().at(-1)!.body);
      expect(results).toHaveLength(4);
      expect(resultText(results[0]!)).toContain("# Sample project");
      const facts = resultText(results[1]!);
      if (backend.isolated) {
        expect(facts).toContain("host=acp-sandbox");
        expect(facts).toContain("marker=hidden");
        expect(facts).toMatch(/^root=(\.claude.*)?$/m); // nothing of the host's /root; at most Claude's own files in a fresh HOME
        expect(facts).not.toContain(".npm");
      } else {
        expect(facts).toContain(`host=${os.hostname()}`);
        expect(facts).toContain("marker=visible");
      }
    }, 180_000);

    it("resumes a session after the bridge restarts (the agent's state persists)", async () => {
      const env = claudeEnv();
      const first = BridgeProcess.start(CLAUDE, [...bridgeFlags(), "--workspace", s.workspace], { cwd: s.workspace, env });
      const stopFirst = serveEditorRequests(first, () => ({ result: { outcome: { outcome: "cancelled" } } }));
      let sessionId: string;
      try {
        const init = await first.initialize();
        expect(init["result"]?.agentCapabilities?.sessionCapabilities?.resume, JSON.stringify(init)).toBeDefined();
        sessionId = await first.newSession(s.workspace);
        const turn = await first.request("session/prompt", { sessionId, prompt: [{ type: "text", text: `Remember the word ${WORD}.` }] });
        expect(turn["result"]?.stopReason, JSON.stringify(turn) + first.stderr.slice(-2000)).toBe("end_turn");
      } finally {
        stopFirst();
        await first.close(30_000);
      }
      const second = BridgeProcess.start(CLAUDE, [...bridgeFlags(), "--workspace", s.workspace], { cwd: s.workspace, env });
      const stopSecond = serveEditorRequests(second, () => ({ result: { outcome: { outcome: "cancelled" } } }));
      try {
        await second.initialize();
        const resumed = await second.request("session/resume", { sessionId, cwd: s.workspace, mcpServers: [] }, "resume", );
        expect(resumed["error"], JSON.stringify(resumed) + second.stderr.slice(-2000)).toBeUndefined();
        const before = standIn.requests.length;
        const turn = await second.request("session/prompt", { sessionId, prompt: [{ type: "text", text: "Which word was it?" }] });
        expect(turn["result"]?.stopReason, JSON.stringify(turn)).toBe("end_turn");
        // The model saw the first session's conversation: it came from the agent's kept state.
        const later = standIn.requests.slice(before).filter((r) => isConversation(r.body));
        expect(later.some((r) => JSON.stringify(r.body.messages).includes(`Remember the word ${WORD}`))).toBe(true);
      } finally {
        stopSecond();
        await second.close(30_000);
      }
    }, 180_000);
  });
}
