// Reading what a permission request asks to do: paths and commands from v1 tool calls and v2 subjects.
import { describe, expect, it } from "vitest";
import { claudeBash, claudeEdit, claudeRead, codexExec, codexPatchAdd, v2ClaudeWrite, v2Command } from "../../fixtures/agent/permission-requests.js";
import { readPermissionRequest } from "../../src/policy/requests.js";

describe("readPermissionRequest", () => {
  it("claude-agent-acp: Bash is a shell line, Edit a write of its file, Read a read", () => {
    expect(readPermissionRequest(claudeBash("s", "t1", "ls | head"))).toEqual({ version: 1, title: "ls | head", kind: "execute", toolCallId: "t1", act: { kind: "terminal", command: "ls | head" } });
    expect(readPermissionRequest(claudeEdit("s", "t2", "/ws/a.js", "a.js", "x", "y")).act).toEqual({ kind: "write", paths: ["/ws/a.js"] });
    expect(readPermissionRequest(claudeRead("s", "t3", "/etc/hosts")).act).toEqual({ kind: "read", paths: ["/etc/hosts"] });
  });

  it("codex-acp: an exec's argv and cwd; a patch's files, a move's source and target", () => {
    expect(readPermissionRequest(codexExec("s", "c1", ["bash", "-lc", "cat a"], "/ws", "read")).act).toEqual({ kind: "terminal", command: ["bash", "-lc", "cat a"], cwd: "/ws" });
    expect(readPermissionRequest(codexPatchAdd("s", "c2", "/ws/new.txt", "x")).act).toEqual({ kind: "write", paths: ["/ws/new.txt"] });
    const move = { sessionId: "s", toolCall: { toolCallId: "c3", kind: "edit", title: "Edit /ws/b.txt", locations: [{ path: "/ws/b.txt" }], rawInput: { call_id: "c3", changes: { "/ws/a.txt": { type: "update", unified_diff: "", move_path: "/ws/b.txt" } } } }, options: [] };
    expect(readPermissionRequest(move).act).toEqual({ kind: "write", paths: ["/ws/b.txt", "/ws/a.txt"] });
    const deletion = { sessionId: "s", toolCall: { toolCallId: "c4", kind: "delete", title: "Delete", rawInput: { path: "/ws/old.txt" } }, options: [] };
    expect(readPermissionRequest(deletion).act).toEqual({ kind: "write", paths: ["/ws/old.txt"] });
  });

  it("v2: a command subject, a tool call subject; other subjects and pathless requests are not mapped", () => {
    expect(readPermissionRequest(v2Command("s", "Run it", "make", "/ws", "c9"))).toEqual({ version: 2, title: "Run it", kind: "execute", toolCallId: "c9", act: { kind: "terminal", command: "make", cwd: "/ws" } });
    expect(readPermissionRequest(v2ClaudeWrite("s", "t5", "/ws/x", "x", "y"))).toMatchObject({ version: 2, title: "Write x", kind: "edit", toolCallId: "t5", act: { kind: "write", paths: ["/ws/x"] } });
    expect(readPermissionRequest({ sessionId: "s", title: "Camera", subject: { type: "_vendor/camera" }, options: [] }).act).toEqual({ kind: "none" });
    expect(readPermissionRequest({ sessionId: "s", toolCall: { toolCallId: "t", title: "Edit", kind: "edit" }, options: [] }).act).toEqual({ kind: "none" });
    expect(readPermissionRequest({ sessionId: "s", toolCall: { toolCallId: "t", title: "Fetch", kind: "fetch", rawInput: { url: "https://a.example" } }, options: [] }).act).toEqual({ kind: "none" });
  });
});

describe("the network plug-in point", () => {
  it("a net act takes the same decision order, with the proxy's host patterns plugged in", async () => {
    const { decide } = await import("../../src/policy/decide.js");
    const { compileRule } = await import("../../src/policy/rules.js");
    const context = { workspace: "/ws", home: "/h", hostPattern: (p: string) => (host: string, port: number) => host.endsWith(p.replace(/^\*\./, ".")) && port === 443 };
    const rules = [
      compileRule({ action: "deny", op: "net", host: "*.evil.example", origin: { kind: "flag", label: "--deny net" } }, context),
      compileRule({ action: "allow", op: "net", host: "*.example", origin: { kind: "flag", label: "--allow net" } }, context),
    ];
    expect(decide({ op: "net", host: "api.evil.example", port: 443 }, { rules, remembered: [] }).decision).toBe("reject-always");
    expect(decide({ op: "net", host: "api.example", port: 443 }, { rules, remembered: [] }).decision).toBe("allow-always");
    expect(decide({ op: "net", host: "api.example", port: 22 }, { rules, remembered: [] })).toMatchObject({ decision: "reject-once", origin: { kind: "default" } });
  });
});
