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
    expect(events).toEqual([{ kind: "message", message: { jsonrpc: "2.0", method: "x", params: { s: "héllo ✓" } }, line }]);
  });

  it("hands on each line's bytes as they came: whitespace, key order, escapes and numbers as written", async () => {
    const text = ` { "params" :\t{"z":1, "a":[1.0, 2e3, -0, 1E-7], "s":"\\u00e9\\/\\n é🙂 ${"x".repeat(3000)}"},"method" : "m" , "jsonrpc":"2.0" }  `;
    const line = Buffer.from(text + "\n");
    const events = await collect([line.subarray(0, 1000), line.subarray(1000, 2000), line.subarray(2000), '{"next":1}\n'], 10_000);
    expect(events.map((e) => (e.kind === "message" ? e.line.toString() : e))).toEqual([text + "\n", '{"next":1}\n']);
  });

  it("hands on a CRLF line with LF alone, and bytes that are not UTF-8 as the text they decode to", async () => {
    const bad = Buffer.concat([Buffer.from('{"s":"a'), Buffer.from([0xff, 0xc3]), Buffer.from('b"}\n')]);
    const events = await collect(['{"a":"é"}\r\n', bad]);
    expect(events.map((e) => (e.kind === "message" ? e.line : e))).toEqual([Buffer.from('{"a":"é"}\n'), Buffer.from('{"s":"a\uFFFD\uFFFDb"}\n')]);
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
