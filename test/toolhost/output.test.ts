// Terminal output kept within a byte limit: truncated from the start, never inside a character.
import { describe, expect, it } from "vitest";
import { OutputBuffer } from "../../toolhost/terminals/output.js";

describe("terminal output", () => {
  it("keeps everything under the limit", () => {
    const out = new OutputBuffer(100);
    out.append("hello ");
    out.append(Buffer.from("world"));
    expect(out.text()).toBe("hello world");
    expect(out.truncated).toBe(false);
  });

  it("drops the oldest bytes beyond the limit and says so", () => {
    const out = new OutputBuffer(10);
    for (let i = 0; i < 10; i++) out.append(`line ${i}\n`);
    expect(out.text()).toBe(" 8\nline 9\n");
    expect(out.truncated).toBe(true);
  });

  it("cuts at a character boundary: a multi-byte character is dropped whole, never split", () => {
    const out = new OutputBuffer(7);
    out.append("ab€€"); // a b (1 byte each) € (3 bytes each): 8 bytes
    // Keeping 7 bytes would start inside the first €: it goes whole, leaving 6 bytes.
    expect(out.text()).toBe("b€€");
    out.append("é"); // 2 more bytes
    expect(out.text()).toBe("€é");
    expect(Buffer.byteLength(out.text())).toBeLessThanOrEqual(7);
    expect(out.text()).not.toContain("\uFFFD");
  });

  it("joins a character split across two pipe reads", () => {
    const out = new OutputBuffer(100);
    const bytes = Buffer.from("x✓y");
    out.append(bytes.subarray(0, 2));
    out.append(bytes.subarray(2));
    out.end();
    expect(out.text()).toBe("x✓y");
  });

  it("a limit of 0 keeps nothing", () => {
    const out = new OutputBuffer(0);
    out.append("anything");
    expect(out.text()).toBe("");
    expect(out.truncated).toBe(true);
  });
});
