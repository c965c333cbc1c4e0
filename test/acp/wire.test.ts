// ND-JSON framing over a real stream: chunk boundaries, size limits, truncation.
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { readLines, type WireEvent } from "../../acp/wire.js";

function collect(chunks: Array<string | Buffer>, max = 1024): Promise<WireEvent[]> {
  const input = new PassThrough();
  const events: WireEvent[] = [];
  const done = new Promise<WireEvent[]>((resolve) => readLines(input, max, (e) => events.push(e), () => resolve(events)));
  for (const chunk of chunks) input.write(chunk);
  input.end();
  return done;
}

describe("readLines", () => {
  it("reassembles messages split across chunks, even inside a multi-byte character", async () => {
    const line = Buffer.from(JSON.stringify({ jsonrpc: "2.0", method: "x", params: { s: "héllo ✓" } }) + "\n");
    const cut = line.indexOf(Buffer.from("✓")) + 1;
    const events = await collect([line.subarray(0, 5), line.subarray(5, cut), line.subarray(cut)]);
    expect(events).toEqual([{ kind: "message", message: { jsonrpc: "2.0", method: "x", params: { s: "héllo ✓" } }, raw: line.toString().trim() }]);
  });

  it("handles several messages in one chunk, CRLF endings and blank lines", async () => {
    const events = await collect(['{"a":1}\r\n\n{"b":2}\n{"c":3}\n']);
    expect(events.map((e) => (e.kind === "message" ? e.message : e))).toEqual([{ a: 1 }, { b: 2 }, { c: 3 }]);
  });

  it("reports an oversized line once and recovers at the next newline", async () => {
    const events = await collect(["{\"big\":\"" + "x".repeat(600), "x".repeat(600) + "\"}\n", '{"after":true}\n'], 1000);
    expect(events.map((e) => e.kind)).toEqual(["invalid", "message"]);
    expect(events[0]).toMatchObject({ reason: "too-large" });
  });

  it("reports non-JSON, non-object and truncated lines", async () => {
    const events = await collect(["nope\n", "42\n", '{"partial":']);
    expect(events.map((e) => (e.kind === "invalid" ? e.reason : "message"))).toEqual(["not-json", "not-object", "truncated"]);
  });
});
