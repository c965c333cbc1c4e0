// Real editors in front of the bridge: the ACP SDK's client, and acpx, an independent ACP client.
import { spawn } from "node:child_process";
import path from "node:path";
import { Readable, Writable } from "node:stream";
import * as acp from "@agentclientprotocol/sdk";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BRIDGE, BridgeProcess, ROOT, scratchWorkspace, SCRIPTED_AGENT } from "../support/bridge.js";

let workspace: { dir: string; cleanup: () => void };
beforeEach(() => {
  workspace = scratchWorkspace();
});
afterEach(() => workspace.cleanup());

describe("the ACP SDK client as the editor", () => {
  it("completes a session through the bridge exactly as if connected directly", async () => {
    const child = spawn(process.execPath, [BRIDGE, "--sandbox", "local", "--workspace", workspace.dir, "--", process.execPath, SCRIPTED_AGENT], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    child.stderr.resume();
    const updates: acp.SessionUpdate[] = [];
    const stream = acp.ndJsonStream(Writable.toWeb(child.stdin) as WritableStream<Uint8Array>, Readable.toWeb(child.stdout) as unknown as ReadableStream<Uint8Array>);
    const app = acp
      .client({ name: "sdk-editor" })
      .onNotification(acp.methods.client.session.update, async ({ params }) => {
        updates.push(params.update);
      })
      .onRequest(acp.methods.client.session.requestPermission, async ({ params }) => ({
        outcome: { outcome: "selected", optionId: params.options[0]!.optionId },
      }));
    const result = await app.connectWith(stream, async (agent) => {
      const init = await agent.request(acp.methods.agent.initialize, { protocolVersion: acp.PROTOCOL_VERSION, clientCapabilities: {} });
      const session = await agent.request(acp.methods.agent.session.new, { cwd: workspace.dir, mcpServers: [] });
      const echo = await agent.request<{ value: number }>("_fixture/echo", { value: 41 });
      const prompt = await agent.request(acp.methods.agent.session.prompt, {
        sessionId: session.sessionId,
        prompt: [{ type: "text", text: JSON.stringify([{ op: "say", text: "hi" }, { op: "permission", title: "run ls" }]) }],
      });
      return { init, echo, prompt };
    });
    child.stdin.end();
    await new Promise((resolve) => child.once("exit", resolve));
    expect(result.init.agentInfo?.name).toBe("scripted-agent");
    expect(result.echo).toEqual({ value: 41 });
    expect(result.prompt.stopReason).toBe("end_turn");
    expect(updates.some((u) => u.sessionUpdate === "agent_message_chunk" && u.content.type === "text" && u.content.text === "hi")).toBe(true);
  });
});

describe("acpx as the editor", () => {
  it("runs a prompt through the bridge and gets the agent's answer", async () => {
    const acpx = path.join(ROOT, "node_modules", "acpx", "dist", "cli.js");
    const agentCommand = [process.execPath, BRIDGE, "--sandbox", "local", "--", process.execPath, SCRIPTED_AGENT].join(" ");
    const script = JSON.stringify([
      { op: "say", text: "hello through acpx" },
      { op: "read", path: "${cwd}/README.md", limit: 1 },
    ]);
    const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [acpx, "--agent", agentCommand, "--cwd", workspace.dir, "--approve-all", "--format", "json", "exec", script], {
        cwd: workspace.dir,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
      child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
    expect(out.code, out.stderr).toBe(0);
    const lines = out.stdout.trim().split("\n").map((l) => JSON.parse(l));
    const init = lines.find((l) => l.id === 0 && l.result);
    expect(init.result._meta["acp-sandbox"].sandbox.backend).toBe("local");
    const texts = lines.filter((l) => l.method === "session/update").map((l) => l.params.update.content?.text ?? "");
    expect(texts).toContain("hello through acpx");
    expect(texts.some((t: string) => t.startsWith("RESULT") && t.includes("# Sample project"))).toBe(true);
    expect(lines.find((l) => l.result?.stopReason)?.result.stopReason).toBe("end_turn");
  });
});

describe("stdout is the protocol", () => {
  it("carries nothing but JSON-RPC, even with debug logging, agent stderr and agent stdout garbage", async () => {
    const bridge = BridgeProcess.start([process.execPath, SCRIPTED_AGENT], ["--sandbox", "local", "--workspace", workspace.dir, "--log-level", "debug"]);
    await bridge.initialize();
    const sessionId = await bridge.newSession(workspace.dir);
    await bridge.prompt(sessionId, [
      { op: "stderr", text: "agent log line" },
      { op: "garbage", text: "not json at all" },
      { op: "say", text: "ok" },
      { op: "crash", code: 1 },
    ]);
    await bridge.waitExit();
    expect(bridge.stderr).toContain("[agent] agent log line");
    expect(bridge.stderr).toMatch(/acp-sandbox: (warning|debug|error)/);
    expect(bridge.strayStdout).toEqual([]);
    expect(bridge.messages.length).toBeGreaterThan(3);
  });
});
