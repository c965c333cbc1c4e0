// Secret redaction for traces and logs.
import { describe, expect, it } from "vitest";
import { redact } from "../../src/log/redact.js";

describe("redact", () => {
  it("hides secret-named fields, MCP env and header values, env maps, and known secret values anywhere", () => {
    const out = redact(
      {
        token: "t-1",
        nested: { api_key: "k-1", Authorization: "Bearer x", ok: "visible" },
        mcpServers: [{ env: [{ name: "PASS", value: "p-1" }], headers: [{ name: "X", value: "h-1" }] }],
        env: { ANY: "e-1" },
        text: "see sk-known-1234 here",
      },
      ["sk-known-1234"],
    );
    const text = JSON.stringify(out);
    for (const secret of ["t-1", "k-1", "Bearer x", "p-1", "h-1", "e-1", "sk-known-1234"]) expect(text).not.toContain(secret);
    expect(text).toContain("visible");
    expect(text).toContain('"name":"PASS"');
  });

  it("keeps token counts (usage numbers are not secrets) but still hides a token's value", () => {
    const out = redact({ usage: { inputTokens: 42, outputTokens: 7, cachedReadTokens: 0, max_tokens: 1024, tokenCount: 3 }, accessToken: "a-1", token: 1234 }) as any;
    expect(out.usage).toEqual({ inputTokens: 42, outputTokens: 7, cachedReadTokens: 0, max_tokens: 1024, tokenCount: 3 });
    expect(out.accessToken).toBe("[redacted]");
    expect(out.token).toBe("[redacted]");
  });
});
