// Path maps and payload translation: the editor never sees a runtime path.
import { describe, expect, it } from "vitest";
import { pathParamsToHost, sessionParamsToRuntime, sessionUpdateToHost } from "../../acp/path-translate.js";
import { PathMap } from "../../src/sandbox/path-map.js";

const map = new PathMap([
  { host: "/home/u/project", runtime: "/workspace" },
  { host: "/home/u/shared", runtime: "/extra/shared" },
]);

describe("PathMap", () => {
  it("maps both ways by the longest root, and leaves unmapped paths undefined", () => {
    expect(map.toRuntime("/home/u/project/src/a.ts")).toBe("/workspace/src/a.ts");
    expect(map.toRuntime("/home/u/project")).toBe("/workspace");
    expect(map.toRuntime("/home/u/projectile/x")).toBeUndefined();
    expect(map.toHost("/extra/shared/lib")).toBe("/home/u/shared/lib");
    expect(map.toHost("/etc/passwd")).toBeUndefined();
    expect(PathMap.identity().toHost("/anything")).toBe("/anything");
  });
});

describe("payload translation", () => {
  it("maps tool call locations, diff paths and resource links in session/update to host paths", () => {
    const message = {
      jsonrpc: "2.0",
      method: "session/update",
      params: {
        sessionId: "s",
        update: {
          sessionUpdate: "tool_call",
          toolCallId: "t",
          title: "edit",
          locations: [{ path: "/workspace/a.ts", line: 3 }],
          content: [
            { type: "diff", path: "/workspace/a.ts", oldText: "a", newText: "b" },
            { type: "content", content: { type: "resource_link", uri: "file:///workspace/b%20c.ts", name: "b c" } },
          ],
          unknownField: { kept: true },
        },
      },
    };
    const out = sessionUpdateToHost(message as any, map) as any;
    expect(out.params.update.locations).toEqual([{ path: "/home/u/project/a.ts", line: 3 }]);
    expect(out.params.update.content[0].path).toBe("/home/u/project/a.ts");
    expect(out.params.update.content[1].content.uri).toBe("file:///home/u/project/b%20c.ts");
    expect(out.params.update.unknownField).toEqual({ kept: true });
  });

  it("hands back the very message when no path in it maps (so the relay can forward its bytes)", () => {
    const chunk = { jsonrpc: "2.0", method: "session/update", params: { sessionId: "s", update: { sessionUpdate: "agent_message_chunk", content: { type: "text", text: "/workspace/a.ts" } } } };
    expect(sessionUpdateToHost(chunk as any, map)).toBe(chunk);
    const outside = { jsonrpc: "2.0", method: "session/update", params: { sessionId: "s", update: { sessionUpdate: "tool_call", toolCallId: "t", locations: [{ path: "/etc/hosts" }] } } };
    expect(sessionUpdateToHost(outside as any, map)).toBe(outside);
  });

  it("maps session directories host → runtime and agent request paths runtime → host", () => {
    expect(sessionParamsToRuntime({ cwd: "/home/u/project/src", additionalDirectories: ["/home/u/shared"], mcpServers: [] }, map)).toEqual({
      cwd: "/workspace/src",
      additionalDirectories: ["/extra/shared"],
      mcpServers: [],
    });
    expect(pathParamsToHost({ sessionId: "s", path: "/workspace/x", cwd: "/workspace" }, map)).toEqual({ sessionId: "s", path: "/home/u/project/x", cwd: "/home/u/project" });
  });
});
