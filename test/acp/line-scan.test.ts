// The relay's fast lane reads a line's shape without JSON.parse: it must never call valid what JSON.parse refuses,
// and must find the same top-level method and id JSON.parse would.
import { describe, expect, it } from "vitest";
import { scanLine } from "../../acp/line-scan.js";

/** Scans `text` placed at each of four byte offsets (the scanner reads aligned words). */
function scan(text: string | Buffer) {
  const bytes = typeof text === "string" ? Buffer.from(text) : text;
  const shapes = [0, 1, 2, 3].map((offset) => {
    const buf = Buffer.concat([Buffer.alloc(offset, 0x20), bytes]).subarray(offset);
    return scanLine(buf, 0, buf.length);
  });
  for (const shape of shapes) expect(shape).toEqual(shapes[0]);
  return shapes[0];
}

const long = (s: string) => s.repeat(200);

describe("scanLine", () => {
  it("finds a notification's method and no id, whatever the spacing and key order", () => {
    expect(scan('{"jsonrpc":"2.0","method":"session/update","params":{"a":1}}')).toEqual({ method: "session/update", hasId: false });
    expect(scan(' { "params" : { "method" : "inner" } , "method" : "m" , "jsonrpc" : "2.0" } ')).toEqual({ method: "m", hasId: false });
  });

  it("does not take a method or an id nested in params, or inside a string, for the top-level one", () => {
    expect(scan('{"params":{"method":"x","id":3},"result":null}')).toEqual({ method: undefined, hasId: false });
    expect(scan('{"params":{"text":"\\"method\\":\\"x\\",\\"id\\":1"},"method":"m"}')).toEqual({ method: "m", hasId: false });
  });

  it("sees a top-level id, as a number, a string, or null", () => {
    for (const id of ["1", '"abc"', '"1"', "null", "-2.5e3"]) {
      expect(scan(`{"jsonrpc":"2.0","id":${id},"method":"session/prompt","params":{}}`)).toEqual({ method: "session/prompt", hasId: true });
    }
  });

  it("leaves to the full parse a method written twice, a key or a method written with escapes", () => {
    expect(scan('{"method":"session/update","params":{},"method":"fs/read_text_file"}')).toBeUndefined();
    expect(scan('{"m\\u0065thod":"x","params":{}}')).toBeUndefined();
    expect(scan('{"\\u0069d":1,"method":"x"}')).toBeUndefined();
    expect(scan('{"method":"session\\/update","params":{}}')).toBeUndefined();
    expect(scan('{"method":1,"params":{}}')).toBeUndefined();
  });

  it("accepts escapes and multi-byte text inside strings, short and long", () => {
    for (const text of ['"\\u00e9\\/\\n\\t\\"\\\\ é🙂"', `"${long("x")}\\"${long("é")}"`, `"${long("ab\\u0041")}"`]) {
      const line = `{"method":"m","params":{"s":${text},"n":[0,-0,1.5,2e-3,1E+9,true,false,null,{},[]]}}`;
      expect(() => JSON.parse(line)).not.toThrow();
      expect(scan(line)).toEqual({ method: "m", hasId: false });
    }
  });

  it("refuses every line JSON.parse refuses", () => {
    const bad = [
      '{"method":"m","params":{"s":"raw\u0001control"}}',
      `{"method":"m","params":{"s":"${long("x")}\ttab${long("y")}"}}`,
      '{"method":"m","params":{"s":"\\x41"}}',
      '{"method":"m","params":{"s":"\\u12"}}',
      '{"method":"m","params":[01]}',
      '{"method":"m","params":[1.]}',
      '{"method":"m","params":[.5]}',
      '{"method":"m","params":[-]}',
      '{"method":"m","params":[1e]}',
      '{"method":"m","params":[tru]}',
      '{"method":"m","params":[1,]}',
      '{"method":"m","params":{"a":1,}}',
      '{"method":"m",}',
      '{"method":"m"} trailing',
      '{"method":"m"}{"method":"n"}',
      '{"method":"m","params":{"a" 1}}',
      '{"method":"m","params":"unterminated}',
      `{"method":"m","params":"${long("x")}`,
      '["method","m"]',
      '"method"',
      "",
      "   ",
      `{"method":"m","params":${"[".repeat(100)}${"]".repeat(100)}}`,
    ];
    for (const line of bad) {
      let valid = true;
      try {
        const parsed = JSON.parse(line);
        valid = typeof parsed === "object" && parsed !== null && !Array.isArray(parsed);
      } catch {
        valid = false;
      }
      // The deep one is valid JSON but too deep for the lane: it goes to the full parse too.
      if (valid) expect(line).toContain("[[[[");
      expect(scan(line)).toBeUndefined();
    }
  });

  it("refuses bytes that are not UTF-8, which the full parse replaces", () => {
    const line = Buffer.concat([Buffer.from('{"method":"m","params":"a'), Buffer.from([0xff, 0xc3]), Buffer.from('b"}')]);
    expect(scan(line)).toBeUndefined();
  });

  it("agrees with JSON.parse on generated lines", () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const parts = ["{", "}", "[", "]", '"', "\\", ":", ",", " ", "a", "1", "-", ".", "e", "true", "null", '"method"', '"id"', "\\u00e9", "\\n", "\u0001", "\t", "é", '"x"', "0", '"method":"m"', `"${"x".repeat(40)}"`];
    for (let t = 0; t < 4_000; t++) {
      let line = "{";
      for (let k = random(12); k > 0; k--) line += parts[random(parts.length)];
      if (t % 2 === 0) {
        const value = { jsonrpc: "2.0", method: "m", params: { a: [1, "x".repeat(random(90)) + (random(3) === 0 ? "\u0001" : "") + '"\\é', { id: 1 }] } };
        const text = JSON.stringify(value).replace("\\u0001", "\u0001");
        line = random(5) === 0 ? text.slice(0, random(text.length)) : text;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        parsed = undefined;
      }
      const shape = scan(line);
      if (shape === undefined) continue;
      expect(typeof parsed === "object" && parsed !== null && !Array.isArray(parsed), line).toBe(true);
      const object = parsed as Record<string, unknown>;
      expect(shape.hasId, line).toBe("id" in object);
      if (shape.method !== undefined) expect(shape.method, line).toBe(object["method"]);
    }
  });
});
