// Host patterns and the decision for a network connection: strict parsing, deny → allow → default, ports, exact addresses.
import { describe, expect, it } from "vitest";
import { allowsExactAddress, decideConnection, parseHostPattern, type NetworkRules } from "../../src/policy/network-rules.js";
import { classifyAddress } from "../../src/network/addresses.js";

const rules = (allow: string[], deny: string[] = []): NetworkRules => ({ allow: allow.map(parseHostPattern), deny: deny.map(parseHostPattern) });

describe("host patterns", () => {
  it("parse names, wildcards, IPv4 and bracketed IPv6, each with an optional port", () => {
    expect(parseHostPattern("Example.COM")).toMatchObject({ kind: "name", host: "example.com", port: undefined });
    expect(parseHostPattern("*.example.com:8443")).toMatchObject({ kind: "wildcard", host: "example.com", port: 8443 });
    expect(parseHostPattern("203.0.113.7")).toMatchObject({ kind: "ip", host: "203.0.113.7", port: undefined });
    expect(parseHostPattern("127.0.0.1:8080")).toMatchObject({ kind: "ip", host: "127.0.0.1", port: 8080 });
    expect(parseHostPattern("[::1]:443")).toMatchObject({ kind: "ip", host: "::1", port: 443 });
  });

  it.each([
    ["*", "would allow every host"],
    ["*:443", "would allow every host"],
    ["https://example.com", "has a scheme"],
    ["example.com/path", "has a path"],
    ["a.example,b.example", "contains a comma or a space"],
    ["a.example b.example", "contains a comma or a space"],
    ["", "is empty"],
    ["ex*ample.com", "has a `*` somewhere other than a leading `*.`"],
    ["*.com", "would match a whole top-level domain"],
    ["example.com:0", "has a port that is not a number from 1 to 65535"],
    ["example.com:99999", "has a port that is not a number from 1 to 65535"],
    ["user@example.com", "has a path or user part"],
    ["exa_mple.com", "is not a host name"],
    ["10.0.0", "is neither a host name nor a whole IPv4 address"],
  ])("refuse %j, naming the entry", (entry, why) => {
    expect(() => parseHostPattern(entry)).toThrow(`\`${entry}\` ${why}`);
  });
});

describe("the decision for a connection", () => {
  it("is deny, then allow, then the default, and names the rule", () => {
    const r = rules(["*.example.com", "api.example.com"], ["secret.example.com"]);
    expect(decideConnection(r, "api.example.com", 443)).toMatchObject({ verdict: "allow", rule: { source: "*.example.com" } });
    expect(decideConnection(r, "secret.example.com", 443)).toMatchObject({ verdict: "deny", reason: "denied by --deny-host secret.example.com" });
    expect(decideConnection(r, "example.com", 443)).toMatchObject({ verdict: "deny", reason: "not in the allowlist: *.example.com, api.example.com" });
    expect(decideConnection(r, "evil.invalid", 443).verdict).toBe("deny");
  });

  it("allows only the web ports without :port, and exactly the port with it", () => {
    const r = rules(["a.example", "b.example:8080"]);
    expect(decideConnection(r, "a.example", 443).verdict).toBe("allow");
    expect(decideConnection(r, "a.example", 80).verdict).toBe("allow");
    expect(decideConnection(r, "a.example", 22)).toMatchObject({ verdict: "deny", reason: "port 22 is not allowed for a.example (a.example allows port 443 and 80)" });
    expect(decideConnection(r, "b.example", 8080).verdict).toBe("allow");
    expect(decideConnection(r, "b.example", 443)).toMatchObject({ verdict: "deny", reason: "port 443 is not allowed for b.example (b.example:8080 allows port 8080)" });
  });

  it("matches an IP target only by an IP entry naming it, and a deny entry without a port on every port", () => {
    const r = rules(["127.0.0.1:8080", "a.example"], ["a.example"]);
    expect(decideConnection(r, "127.0.0.1", 8080).verdict).toBe("allow");
    expect(decideConnection(r, "127.0.0.2", 8080).verdict).toBe("deny");
    expect(decideConnection(r, "a.example", 9999)).toMatchObject({ verdict: "deny", reason: "denied by --deny-host a.example" });
    expect(allowsExactAddress(r, "127.0.0.1", 8080)?.source).toBe("127.0.0.1:8080");
    expect(allowsExactAddress(r, "127.0.0.1", 8081)).toBeUndefined();
  });
});

describe("address classes", () => {
  it("sort resolved addresses into the ones only an exact entry lets through", () => {
    const none = new Set<string>();
    expect(classifyAddress("127.0.0.1", none)).toBe("loopback");
    expect(classifyAddress("::1", none)).toBe("loopback");
    expect(classifyAddress("::ffff:127.0.0.1", none)).toBe("loopback");
    expect(classifyAddress("169.254.169.254", none)).toBe("metadata");
    expect(classifyAddress("169.254.1.1", none)).toBe("link-local");
    expect(classifyAddress("fe80::1", none)).toBe("link-local");
    expect(classifyAddress("10.1.2.3", none)).toBe("private");
    expect(classifyAddress("172.20.0.1", none)).toBe("private");
    expect(classifyAddress("192.168.1.1", none)).toBe("private");
    expect(classifyAddress("fd12::1", none)).toBe("private");
    expect(classifyAddress("0.0.0.0", none)).toBe("unspecified");
    expect(classifyAddress("203.0.113.9", new Set(["203.0.113.9"]))).toBe("host interface");
    expect(classifyAddress("203.0.113.9", none)).toBe("public");
  });
});
