// The text renderer of `acp-sandbox run`: diffs counted right, a tool call shown with its latest title.
import { describe, expect, it } from "vitest";
import { lineCount, textRenderer } from "../../acp/client/render.js";

describe("textRenderer", () => {
  it("counts a one-line diff as one line, with or without its newline", () => {
    expect([lineCount(""), lineCount("a"), lineCount("a\n"), lineCount("a\nb"), lineCount("a\nb\n")]).toEqual([0, 1, 1, 2, 2]);
    let out = "";
    const r = textRenderer((t) => (out += t));
    r.update({ sessionId: "s", update: { sessionUpdate: "tool_call", toolCallId: "t1", title: "Write", kind: "edit", content: [{ type: "diff", path: "/w/a.txt", newText: "one line" }] } } as any);
    expect(out).toContain("diff /w/a.txt: 1 line\n");
  });

  it("ends a tool call with the title it was last given, not its first", () => {
    let out = "";
    const r = textRenderer((t) => (out += t));
    r.update({ sessionId: "s", update: { sessionUpdate: "tool_call", toolCallId: "t1", title: "Write", kind: "edit" } } as any);
    r.update({ sessionId: "s", update: { sessionUpdate: "tool_call_update", toolCallId: "t1", title: "Write /w/notes.txt", status: "in_progress" } } as any);
    r.update({ sessionId: "s", update: { sessionUpdate: "tool_call_update", toolCallId: "t1", status: "completed" } } as any);
    expect(out).toContain("done: Write /w/notes.txt");
  });
});
