// Bad input from either side gets an error or a warning; it never kills the bridge or corrupts stdout.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BridgeProcess, RAW_AGENT, scratchWorkspace, SCRIPTED_AGENT } from "../support/bridge.js";

let workspace: { dir: string; cleanup: () => void };
let bridge: BridgeProcess;

beforeEach(() => {
  workspace = scratchWorkspace();
});

afterEach(async () => {
  expect(bridge.strayStdout).toEqual([]);
  bridge.kill("SIGKILL");
  await bridge.waitExit().catch(() => {});
  workspace.cleanup();
});

async function alive(): Promise<void> {
  const response = await bridge.request("_check/alive", { ok: true });
  expect(response["result"].received.params).toEqual({ ok: true });
}

describe("from the editor", () => {
  beforeEach(async () => {
    bridge = BridgeProcess.start([process.execPath, RAW_AGENT], ["--sandbox", "local", "--workspace", workspace.dir, "--max-message-bytes", "4096"]);
    await bridge.initialize();
  });

  it("a non-JSON line gets a parse error with id null", async () => {
    bridge.sendRaw("this is not json\n");
    const error = await bridge.waitFor((m) => m["id"] === null && m["error"]?.code === -32700);
    expect(error["error"].message).toMatch(/acp-sandbox: /);
    await alive();
  });

  it("JSON that is not an object gets a parse error", async () => {
    bridge.sendRaw("[1,2,3]\n");
    await bridge.waitFor((m) => m["id"] === null && m["error"]?.code === -32700);
    await alive();
  });

  it("a line over the size limit is refused without buffering it whole, and the next line works", async () => {
    bridge.sendRaw(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "_big", params: { blob: "x".repeat(20_000) } }) + "\n");
    const error = await bridge.waitFor((m) => m["id"] === null && m["error"]?.code === -32600);
    expect(error["error"].message).toMatch(/over 4096 bytes/);
    await alive();
  });

  it("a request without a method gets invalidRequest", async () => {
    bridge.send({ jsonrpc: "2.0", id: "no-method", params: {} });
    const error = await bridge.waitFor((m) => m["id"] === "no-method");
    expect(error["error"].code).toBe(-32600);
    expect(error["error"].message).toMatch(/a request without a method/);
    await alive();
  });

  it("a response for an id nobody waits for is dropped with a warning", async () => {
    bridge.send({ jsonrpc: "2.0", id: 999_999, result: { stray: true } });
    await alive();
    await bridge.waitForStderr(/editor answered id 999999, which nobody is waiting for; dropped/);
    expect(bridge.messages.some((m) => m["method"] === "_fixture/response")).toBe(false);
  });

  it("a truncated last line is reported when the editor closes", async () => {
    bridge.sendRaw('{"jsonrpc":"2.0","id":5,"method":"_x"');
    const exit = await bridge.close();
    expect(exit.code).toBe(0);
    expect(bridge.stderr).toMatch(/editor sent a truncated line/);
  });
});

describe("from the agent", () => {
  it("garbage on the agent's stdout is dropped with a warning and never reaches the editor", async () => {
    bridge = BridgeProcess.start([process.execPath, SCRIPTED_AGENT], ["--sandbox", "local", "--workspace", workspace.dir]);
    await bridge.initialize();
    const sessionId = await bridge.newSession(workspace.dir);
    const response = await bridge.prompt(sessionId, [{ op: "garbage", text: "Loading model... 100%" }, { op: "say", text: "still fine" }]);
    expect(response["result"].stopReason).toBe("end_turn");
    await bridge.waitForStderr(/agent sent a line that is not a JSON-RPC message/);
    expect(bridge.messages.some((m) => m["params"]?.update?.content?.text === "still fine")).toBe(true);
  });
});

describe("--trace", () => {
  it("records every message both ways with secret values redacted", async () => {
    const trace = path.join(workspace.dir, "trace.jsonl");
    const secret = "sk-live-abcdef1234567890";
    bridge = BridgeProcess.start([process.execPath, RAW_AGENT], ["--sandbox", "local", "--workspace", workspace.dir, "--trace", trace], {
      env: { ...process.env, MY_SERVICE_API_KEY: secret },
    });
    await bridge.initialize();
    await bridge.request("session/new", {
      cwd: workspace.dir,
      mcpServers: [
        { name: "db", command: "db-mcp", args: [], env: [{ name: "DB_PASSWORD", value: "hunter2-password" }] },
        { type: "http", name: "api", url: "https://example.invalid", headers: [{ name: "Authorization", value: "Bearer tok-123456" }] },
      ],
    });
    await bridge.request("_vendor/login", { apiKey: "plain-api-key-value", note: `the key is ${secret}` });
    await bridge.close();
    const lines = readFileSync(trace, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    const directions = new Set(lines.map((l) => l.dir));
    expect(directions).toEqual(new Set(["editor->bridge", "bridge->agent", "agent->bridge", "bridge->editor"]));
    const text = readFileSync(trace, "utf8");
    for (const leaked of ["hunter2-password", "tok-123456", "plain-api-key-value", secret]) expect(text).not.toContain(leaked);
    expect(text).toContain("[redacted]");
    expect(text).toContain("DB_PASSWORD");
  });
});
