// `/checkpoints`, `/rollback` and the extension methods through the built bridge, from three editors; the agent never sees them.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { Readable, Writable } from "node:stream";
import * as acp from "@agentclientprotocol/sdk";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BRIDGE, type BridgeProcess, type Message, ROOT, SCRIPTED_AGENT } from "../support/bridge.js";
import { harness, type Harness, startBridge, turn } from "../toolhost/support.js";
import { cli } from "./support.js";

let h: Harness;
let bridge: BridgeProcess | undefined;
beforeEach(() => {
  h = harness();
});
afterEach(async () => {
  await bridge?.close().catch(() => bridge?.kill());
  bridge = undefined;
  h.cleanup();
});

const sh = (command: string) => [{ op: "sh", command }];

/** The text the bridge sent in agent message chunks for `sessionId` from message index `from` on. */
function chunks(b: BridgeProcess, sessionId: string, from: number): string {
  return b.messages
    .slice(from)
    .filter((m) => m["method"] === "session/update" && m["params"]?.sessionId === sessionId && m["params"].update.sessionUpdate === "agent_message_chunk")
    .map((m) => String(m["params"].update.content.text))
    .join("");
}

const commandNames = (m: Message) => (m["params"].update.availableCommands as Array<{ name: string }>).map((c) => c.name);

describe("slash commands and extension methods", { timeout: 120_000 }, () => {
  it("answers /checkpoints and /rollback itself, with the CLI's text; the agent's own commands are kept", async () => {
    let sessionId: string;
    ({ bridge, sessionId } = await startBridge(h));
    // The agent advertises its own list: ours are merged in, every time it updates it.
    await turn(bridge, sessionId, [{ op: "commands", names: ["review"] }]);
    let mark = bridge.messages.length;
    await turn(bridge, sessionId, [{ op: "commands", names: ["review", "rollback"] }, ...sh("printf 'by the agent\\n' > agent.txt")]);
    const merged = bridge.messages.slice(mark).find((m) => m["params"]?.update?.sessionUpdate === "available_commands_update")!;
    expect(commandNames(merged)).toEqual(["review", "checkpoints", "rollback"]);
    mark = bridge.messages.findIndex((m) => m["params"]?.update?.sessionUpdate === "available_commands_update");
    expect(commandNames(bridge.messages[mark]!)).toEqual(["review", "checkpoints", "rollback"]);

    let from = bridge.messages.length;
    const listed = await bridge.prompt(sessionId, "/checkpoints");
    expect(listed["result"]).toEqual({ stopReason: "end_turn" });
    const cliList = await cli(["checkpoints", "-w", h.ws], h.env);
    expect(chunks(bridge, sessionId, from)).toBe(cliList.stdout);
    expect(cliList.stdout).toMatch(/^checkpoints of .*\n2 {2}.* {2}turn 2 {2}\+1 ~0 -0 {2}"\[\{.*\n1 {2}.* {2}turn 1 {2}\+0 ~0 -0 {2}"\[\{/);

    from = bridge.messages.length;
    const rolled = await bridge.prompt(sessionId, "/rollback");
    expect(rolled["result"]).toEqual({ stopReason: "end_turn" });
    const text = chunks(bridge, sessionId, from);
    expect(text).toContain("rolled back to checkpoint 2 (");
    expect(text).toContain("  delete   agent.txt\n");
    expect(text).toContain("undo this rollback with: acp-sandbox rollback --to 3   (or /rollback 3)");
    expect(existsSync(path.join(h.ws, "agent.txt"))).toBe(false);

    from = bridge.messages.length;
    await bridge.prompt(sessionId, "/rollback 3");
    expect(chunks(bridge, sessionId, from)).toContain("rolled back to checkpoint 3");
    expect(readFileSync(path.join(h.ws, "agent.txt"), "utf8")).toBe("by the agent\n");
    from = bridge.messages.length;
    await bridge.prompt(sessionId, "/rollback 99");
    expect(chunks(bridge, sessionId, from)).toBe(`acp-sandbox: no checkpoint 99 for ${h.ws}; the ones that exist are 4, 3, 2, 1\n`);

    // None of these prompts reached the agent.
    const [prompts] = await turn(bridge, sessionId, [{ op: "prompts" }]);
    const seen = prompts!.result.ok as string[];
    expect(seen).toHaveLength(3);
    expect(seen.some((p) => p.includes("/checkpoints") || p.includes("/rollback"))).toBe(false);
  });

  it("serves _acp-sandbox/checkpoints and _acp-sandbox/rollback with the documented params and results", async () => {
    let sessionId: string;
    ({ bridge, sessionId } = await startBridge(h));
    await turn(bridge, sessionId, sh("printf x > x.txt"));
    const list = await bridge.request("_acp-sandbox/checkpoints", {});
    expect(list["result"].workspace).toBe(h.ws);
    expect(list["result"].checkpoints).toHaveLength(1);
    expect(list["result"].checkpoints[0]).toMatchObject({ id: 1, kind: "turn", session: sessionId, turn: 1, changes: { added: 1, modified: 0, deleted: 0 } });

    const unknown = await bridge.request("_acp-sandbox/rollback", { to: 7 });
    expect(unknown["error"]).toEqual({ code: -32002, message: `acp-sandbox: no checkpoint 7 for ${h.ws}; the ones that exist are 1` });
    const bad = await bridge.request("_acp-sandbox/rollback", { to: "one" });
    expect(bad["error"]).toEqual({ code: -32602, message: "acp-sandbox: to must be a checkpoint id (a positive integer)" });

    const dry = await bridge.request("_acp-sandbox/rollback", { to: 1, dryRun: true });
    expect(dry["result"]).toMatchObject({ rolledBackTo: 1, dryRun: true, undo: null, changed: [{ path: "x.txt", action: "delete" }], conflicts: [], forced: false });
    expect(existsSync(path.join(h.ws, "x.txt"))).toBe(true);
    const done = await bridge.request("_acp-sandbox/rollback", {});
    expect(done["result"]).toMatchObject({ rolledBackTo: 1, dryRun: false, undo: 2, changed: [{ path: "x.txt", action: "delete" }] });
    expect(existsSync(path.join(h.ws, "x.txt"))).toBe(false);
  });

  it("the ACP SDK's client sees the commands, gets /checkpoints answered, and the agent never receives it", async () => {
    const child = spawn(process.execPath, [BRIDGE, "--sandbox", "local", "--workspace", h.ws, "--", process.execPath, SCRIPTED_AGENT], { stdio: ["pipe", "pipe", "pipe"], env: h.env });
    child.stderr.resume();
    const updates: acp.SessionUpdate[] = [];
    const stream = acp.ndJsonStream(Writable.toWeb(child.stdin) as WritableStream<Uint8Array>, Readable.toWeb(child.stdout) as unknown as ReadableStream<Uint8Array>);
    const app = acp.client({ name: "sdk-editor" }).onNotification(acp.methods.client.session.update, async ({ params }) => {
      updates.push(params.update);
    });
    const result = await app.connectWith(stream, async (agent) => {
      await agent.request(acp.methods.agent.initialize, { protocolVersion: acp.PROTOCOL_VERSION, clientCapabilities: {} });
      const session = await agent.request(acp.methods.agent.session.new, { cwd: h.ws, mcpServers: [] });
      const prompt = (text: string) => agent.request(acp.methods.agent.session.prompt, { sessionId: session.sessionId, prompt: [{ type: "text", text }] });
      await prompt(JSON.stringify([{ op: "commands", names: [] }, ...sh("printf sdk > sdk.txt")]));
      const slash = await prompt("/checkpoints");
      const after = updates.length;
      await prompt(JSON.stringify([{ op: "prompts" }]));
      return { slash, prompts: updates.slice(after) };
    });
    child.stdin.end();
    await new Promise((resolve) => child.once("exit", resolve));
    expect(result.slash.stopReason).toBe("end_turn");
    const commands = updates.find((u) => u.sessionUpdate === "available_commands_update");
    expect(commands && "availableCommands" in commands ? commands.availableCommands.map((c) => c.name) : []).toEqual(["checkpoints", "rollback"]);
    const texts = updates.map((u) => (u.sessionUpdate === "agent_message_chunk" && u.content.type === "text" ? u.content.text : ""));
    expect(texts.some((t) => t.startsWith(`checkpoints of ${h.ws}`) && t.includes("turn 1  +1 ~0 -0"))).toBe(true);
    const report = result.prompts.map((u) => (u.sessionUpdate === "agent_message_chunk" && u.content.type === "text" ? u.content.text : "")).join("");
    expect(report).toContain('"ok":["[{\\"op\\":\\"commands\\"');
    expect(report).not.toContain("/checkpoints");
  });

  it("acpx: /checkpoints through `acpx exec` is answered by the bridge, not the agent", async () => {
    const acpx = path.join(ROOT, "node_modules", "acpx", "dist", "cli.js");
    const agentCommand = [process.execPath, BRIDGE, "--sandbox", "local", "--", process.execPath, SCRIPTED_AGENT].join(" ");
    const exec = (prompt: string) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [acpx, "--agent", agentCommand, "--cwd", h.ws, "--approve-all", "--format", "json", "exec", prompt], { cwd: h.ws, env: h.env, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
        child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
        child.on("close", (code) => resolve({ code, stdout, stderr }));
      });
    const texts = (stdout: string) =>
      stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l))
        .filter((l) => l.method === "session/update" && l.params.update.sessionUpdate === "agent_message_chunk")
        .map((l) => String(l.params.update.content.text))
        .join("");
    const first = await exec(JSON.stringify(sh("printf acpx > acpx.txt")));
    expect(first.code, first.stderr).toBe(0);
    const listed = await exec("/checkpoints");
    expect(listed.code, listed.stderr).toBe(0);
    expect(texts(listed.stdout)).toBe((await cli(["checkpoints", "-w", h.ws], h.env)).stdout);
    expect(texts(listed.stdout)).not.toContain("You said");
    const rolled = await exec("/rollback");
    expect(texts(rolled.stdout)).toContain("rolled back to checkpoint 1");
    expect(existsSync(path.join(h.ws, "acpx.txt"))).toBe(false);
  });
});
