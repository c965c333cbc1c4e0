// The relay end to end: a client → the built bridge → a raw echo agent, over real pipes.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BridgeProcess, RAW_AGENT, scratchWorkspace, SCRIPTED_AGENT } from "../support/bridge.js";

let workspace: { dir: string; cleanup: () => void };
let bridge: BridgeProcess | undefined;

beforeEach(() => {
  workspace = scratchWorkspace();
});

afterEach(async () => {
  if (bridge) {
    expect(bridge.strayStdout).toEqual([]);
    bridge.kill("SIGTERM");
    await bridge.waitExit().catch(() => {});
    bridge = undefined;
  }
  workspace.cleanup();
});

function startRaw(): BridgeProcess {
  bridge = BridgeProcess.start([process.execPath, RAW_AGENT], ["--sandbox", "local", "--workspace", workspace.dir]);
  return bridge;
}

describe("initialize", () => {
  it("answers with the agent's reply plus the bridge's _meta", async () => {
    bridge = BridgeProcess.start([process.execPath, SCRIPTED_AGENT], ["--sandbox", "local", "--workspace", workspace.dir]);
    const response = await bridge.initialize();
    const result = response["result"];
    expect(result.agentInfo).toEqual({ name: "scripted-agent", version: "1.0.0" });
    expect(result._meta.fixture.pid).toBeTypeOf("number");
    expect(result._meta["acp-sandbox"]).toMatchObject({
      name: "acp-sandbox",
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      sandbox: { backend: "local", isolation: "none", filesystemIsolation: false },
    });
  });

  it("refuses a second initialize", async () => {
    startRaw();
    await bridge!.initialize();
    const again = await bridge!.initialize();
    expect(again["error"].message).toMatch(/already called/);
  });

  it("answers requests sent before initialize with an error instead of hanging", async () => {
    startRaw();
    const response = await bridge!.request("session/new", { cwd: workspace.dir, mcpServers: [] });
    expect(response["error"].message).toMatch(/send initialize first/);
  });
});

describe("raw forwarding", () => {
  it("passes unknown methods, unknown fields at any depth and _meta unchanged, both with and without a leading _", async () => {
    startRaw();
    await bridge!.initialize();
    for (const method of ["_vendor/do_thing", "vendor/unknown_method"]) {
      const params = { a: 1, nested: { deep: { list: [1, { x: null }], flag: true } }, _meta: { trace: "abc" } };
      const response = await bridge!.request(method, params);
      expect(response["result"].received.method).toBe(method);
      expect(response["result"].received.params).toEqual(params);
      // The agent's own extra fields come back untouched too.
      expect(response["result"]._extra).toEqual({ nested: { kept: true } });
    }
  });

  it("passes unknown fields inside standard methods unchanged", async () => {
    startRaw();
    await bridge!.initialize();
    const params = { sessionId: "s1", prompt: [{ type: "text", text: "hi", futureField: { z: 1 } }], _meta: { m: 2 }, extra: [1, 2] };
    const response = await bridge!.request("session/prompt", params);
    expect(response["result"].received.params).toEqual(params);
  });

  it("forwards notifications both ways unchanged", async () => {
    startRaw();
    await bridge!.initialize();
    bridge!.notify("_vendor/ping", { n: 7, _meta: { k: "v" } });
    const saw = await bridge!.waitFor((m) => m["method"] === "_fixture/saw" && m["params"].received.method === "_vendor/ping");
    expect(saw["params"].received).toEqual({ jsonrpc: "2.0", method: "_vendor/ping", params: { n: 7, _meta: { k: "v" } } });
  });

  it("forwards large notifications both ways byte for byte, whatever their whitespace, key order and escapes", async () => {
    startRaw();
    await bridge!.initialize();
    // Over 64 KiB, so each arrives in several reads.
    const odd = (method: string) =>
      `{ "params" :\t{"z":1, "a":[1.0, 2e3, -0], "text":"\\u00e9\\/ é🙂 ${"x".repeat(100_000)}", "_meta":{"k":"v"}},"method" : "${method}" , "jsonrpc":"2.0"  }`;
    bridge!.sendRaw(odd("_vendor/to_agent") + "\n");
    const saw = await bridge!.waitFor((m) => m["method"] === "_fixture/saw" && m["params"].received.method === "_vendor/to_agent");
    expect(saw["params"].line).toBe(odd("_vendor/to_agent"));
    await bridge!.request("_fixture/write-line", { line: odd("_vendor/to_editor") });
    expect(bridge!.lines.find((line) => line.includes('"_vendor/to_editor"'))).toBe(odd("_vendor/to_editor"));
  });

  it("serializes again what it changes: requests both ways carry ids of the bridge's", async () => {
    startRaw();
    await bridge!.initialize();
    bridge!.sendRaw('{ "id" : "odd-1", "method":"_fixture/echo-line", "params": {"b": 1, "a": 2}, "jsonrpc":"2.0" }\n');
    const echoed = await bridge!.waitFor((m) => m["id"] === "odd-1" && "result" in m);
    const { received, line } = echoed["result"];
    expect(received).toEqual({ id: expect.any(Number), method: "_fixture/echo-line", params: { b: 1, a: 2 }, jsonrpc: "2.0" });
    expect(line).toBe(JSON.stringify(received));

    await bridge!.request("_fixture/write-line", { line: '{ "jsonrpc" : "2.0", "id" : "agent-7", "method" : "_client/question", "params" : {"q" : 1} }' });
    const question = await bridge!.waitFor((m) => m["method"] === "_client/question");
    expect(question["id"]).not.toBe("agent-7");
    expect(bridge!.lines.find((l) => l.includes('"_client/question"'))).toBe(JSON.stringify(question));
    bridge!.send({ jsonrpc: "2.0", id: question["id"], result: { answer: 42 } });
    const delivered = await bridge!.waitFor((m) => m["method"] === "_fixture/response");
    expect(delivered["params"].received).toEqual({ jsonrpc: "2.0", id: "agent-7", result: { answer: 42 } });
  });

  it("answers string and numeric ids with the editor's own ids", async () => {
    startRaw();
    await bridge!.initialize();
    const a = await bridge!.request("_x/a", {}, "req-alpha");
    const b = await bridge!.request("_x/b", {}, 4242);
    expect(a["id"]).toBe("req-alpha");
    expect(b["id"]).toBe(4242);
  });

  it("keeps the agent's request ids and the editor's apart, and routes each response back to its asker", async () => {
    startRaw();
    await bridge!.initialize();
    // The agent sends the editor a request under id 7 — the same id the editor uses for its own request.
    const editorId = 7;
    const asked = await bridge!.request("_fixture/ask-editor", { id: editorId, method: "_client/question", params: { q: 1 } }, editorId);
    expect(asked["result"]).toEqual({ sent: editorId });
    const question = await bridge!.waitFor((m) => m["method"] === "_client/question");
    bridge!.send({ jsonrpc: "2.0", id: question["id"], result: { answer: 42 } });
    const delivered = await bridge!.waitFor((m) => m["method"] === "_fixture/response");
    expect(delivered["params"].received).toEqual({ jsonrpc: "2.0", id: editorId, result: { answer: 42 } });
  });

  it("drops a $/cancel_request for an id not in flight and forwards session/cancel", async () => {
    startRaw();
    await bridge!.initialize();
    bridge!.notify("$/cancel_request", { requestId: "never-sent" });
    bridge!.notify("session/cancel", { sessionId: "s1" });
    const saw = await bridge!.waitFor((m) => m["method"] === "_fixture/saw" && m["params"].received.method === "session/cancel");
    expect(saw["params"].received.params).toEqual({ sessionId: "s1" });
    // Notifications reach the raw agent in order: the stale cancel would have been seen first.
    expect(bridge!.messages.some((m) => m["method"] === "_fixture/saw" && m["params"].received.method === "$/cancel_request")).toBe(false);
  });
});

describe("cancellation with a real agent", () => {
  it("session/cancel ends a hanging turn with stopReason cancelled", async () => {
    bridge = BridgeProcess.start([process.execPath, SCRIPTED_AGENT], ["--sandbox", "local", "--workspace", workspace.dir]);
    await bridge.initialize();
    const sessionId = await bridge.newSession(workspace.dir);
    const turn = bridge.prompt(sessionId, [{ op: "say", text: "working" }, { op: "hang" }]);
    await bridge.waitFor((m) => m["params"]?.update?.content?.text === "working");
    bridge.notify("session/cancel", { sessionId });
    const response = await turn;
    expect(response["result"]).toEqual({ stopReason: "cancelled" });
  });

  it("$/cancel_request reaches the agent under the id it knows", async () => {
    bridge = BridgeProcess.start([process.execPath, SCRIPTED_AGENT], ["--sandbox", "local", "--workspace", workspace.dir]);
    await bridge.initialize();
    const sessionId = await bridge.newSession(workspace.dir);
    const id = "prompt-to-cancel";
    bridge.send({ jsonrpc: "2.0", id, method: "session/prompt", params: { sessionId, prompt: [{ type: "text", text: JSON.stringify([{ op: "say", text: "started" }, { op: "hang" }]) }] } });
    await bridge.waitFor((m) => m["params"]?.update?.content?.text === "started");
    bridge.notify("$/cancel_request", { requestId: id });
    const response = await bridge.waitFor((m) => m["id"] === id && !("method" in m));
    // The SDK answers a cancelled request either with requestCancelled or with the handler's cancelled result.
    const cancelled = response["error"]?.code === -32800 || response["result"]?.stopReason === "cancelled";
    expect(cancelled, JSON.stringify(response)).toBe(true);
  });
});

describe("session directories", () => {
  it("accepts a cwd inside the workspace and passes it on", async () => {
    bridge = BridgeProcess.start([process.execPath, SCRIPTED_AGENT], ["--sandbox", "local", "--workspace", workspace.dir]);
    await bridge.initialize();
    const response = await bridge.request("session/new", { cwd: `${workspace.dir}/src`, mcpServers: [], additionalDirectories: [workspace.dir] });
    expect(response["result"]._meta.fixture).toEqual({ cwd: `${workspace.dir}/src`, additionalDirectories: [workspace.dir] });
  });

  it("refuses a cwd outside the workspace with invalidParams naming both paths", async () => {
    bridge = BridgeProcess.start([process.execPath, SCRIPTED_AGENT], ["--sandbox", "local", "--workspace", workspace.dir]);
    await bridge.initialize();
    const response = await bridge.request("session/new", { cwd: "/etc", mcpServers: [] });
    expect(response["error"].code).toBe(-32602);
    expect(response["error"].message).toBe(`acp-sandbox: cwd /etc lies outside the workspace ${workspace.dir}`);
  });

  it("refuses ../ escapes and symlinks out of the workspace as cwd or additional directory", async () => {
    const { symlinkSync } = await import("node:fs");
    symlinkSync("/etc", `${workspace.dir}/escape`);
    bridge = BridgeProcess.start([process.execPath, SCRIPTED_AGENT], ["--sandbox", "local", "--workspace", workspace.dir]);
    await bridge.initialize();
    for (const params of [
      { cwd: `${workspace.dir}/../`, mcpServers: [] },
      { cwd: `${workspace.dir}/escape`, mcpServers: [] },
      { cwd: workspace.dir, mcpServers: [], additionalDirectories: [`${workspace.dir}/escape/ssl`] },
      { cwd: "relative/dir", mcpServers: [] },
    ]) {
      for (const method of ["session/new", "session/load"]) {
        const response = await bridge.request(method, { sessionId: "x", ...params });
        expect(response["error"]?.code, `${method} ${JSON.stringify(params)}`).toBe(-32602);
      }
    }
  });
});
