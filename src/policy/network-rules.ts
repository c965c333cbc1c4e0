// The rules for a network connection: host patterns, strictly parsed, and the decision deny → allow → default.
import { isIP } from "node:net";

/** One `--allow-host` / `--deny-host` entry, parsed. */
export interface HostPattern {
  /** The entry as the user wrote it (for messages). */
  readonly source: string;
  readonly kind: "name" | "wildcard" | "ip";
  /** Lower-case name; for a wildcard the suffix after `*.`; for an IP its canonical text. */
  readonly host: string;
  /** Undefined: the web ports (80 and 443) for allow entries, every port for deny entries. */
  readonly port: number | undefined;
}

export interface NetworkRules {
  readonly allow: readonly HostPattern[];
  readonly deny: readonly HostPattern[];
}

export type ConnectionDecision =
  | { readonly verdict: "allow"; readonly rule: HostPattern }
  | { readonly verdict: "deny"; readonly rule: HostPattern | undefined; readonly reason: string };

/** Ports an entry without `:port` allows. */
export const WEB_PORTS: readonly number[] = [443, 80];

export class HostPatternError extends Error {
  constructor(
    readonly entry: string,
    readonly why: string,
  ) {
    super(`\`${entry}\` ${why}`);
    this.name = "HostPatternError";
  }
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

function parsePort(text: string, entry: string): number {
  if (!/^\d{1,5}$/.test(text)) throw new HostPatternError(entry, "has a port that is not a number from 1 to 65535");
  const port = Number(text);
  if (port < 1 || port > 65535) throw new HostPatternError(entry, "has a port that is not a number from 1 to 65535");
  return port;
}

function canonicalIp(ip: string): string {
  if (isIP(ip) === 6) return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  return ip;
}

/**
 * Parses one entry: `example.com`, `*.example.com`, an IPv4 literal, `[IPv6]`, each with an optional
 * `:port`. A bare `*`, a scheme, a path, a comma or a space is refused with the entry named: a list
 * joined with commas handed on to another parser must never smuggle in several entries as one.
 */
export function parseHostPattern(entry: string): HostPattern {
  if (entry.length === 0) throw new HostPatternError(entry, "is empty; name a host like example.com");
  if (/[,\s]/.test(entry)) throw new HostPatternError(entry, "contains a comma or a space; give one host per flag");
  if (entry.includes("://")) throw new HostPatternError(entry, "has a scheme; give the host alone, like example.com");
  if (/[/?#@\\]/.test(entry)) throw new HostPatternError(entry, "has a path or user part; give the host alone, like example.com");
  if (entry === "*" || entry.startsWith("*:")) throw new HostPatternError(entry, "would allow every host; name the hosts (or use --network open)");
  let hostPart = entry;
  let port: number | undefined;
  const bracket = /^\[([^\]]+)\](?::(.*))?$/.exec(entry);
  if (bracket) {
    if (isIP(bracket[1]!) !== 6) throw new HostPatternError(entry, "is not an IPv6 address in brackets");
    if (bracket[2] !== undefined) port = parsePort(bracket[2], entry);
    return { source: entry, kind: "ip", host: canonicalIp(bracket[1]!), port };
  }
  if (isIP(entry) === 6) return { source: entry, kind: "ip", host: canonicalIp(entry), port: undefined };
  const colon = entry.lastIndexOf(":");
  if (colon !== -1) {
    hostPart = entry.slice(0, colon);
    port = parsePort(entry.slice(colon + 1), entry);
  }
  if (isIP(hostPart) === 4) return { source: entry, kind: "ip", host: hostPart, port };
  const lower = hostPart.toLowerCase().replace(/\.$/, "");
  const wildcard = lower.startsWith("*.");
  const name = wildcard ? lower.slice(2) : lower;
  if (name.includes("*")) throw new HostPatternError(entry, "has a `*` somewhere other than a leading `*.`");
  const labels = name.split(".");
  if (!labels.every((label) => LABEL.test(label))) throw new HostPatternError(entry, "is not a host name (letters, digits, `-` and dots)");
  if (/^\d+$/.test(labels[labels.length - 1]!)) throw new HostPatternError(entry, "is neither a host name nor a whole IPv4 address");
  if (wildcard && labels.length < 2) throw new HostPatternError(entry, "would match a whole top-level domain; name the domain, like *.example.com");
  return { source: entry, kind: wildcard ? "wildcard" : "name", host: name, port };
}

/** Parses a list, naming the flag (or config key) in the error. */
export function parseHostPatterns(entries: readonly string[]): HostPattern[] {
  return entries.map((entry) => parseHostPattern(entry));
}

function hostMatches(pattern: HostPattern, host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, "");
  switch (pattern.kind) {
    case "name":
      return h === pattern.host;
    case "wildcard":
      return h.endsWith("." + pattern.host);
    case "ip":
      return isIP(h.replace(/^\[|\]$/g, "")) !== 0 && canonicalIp(h.replace(/^\[|\]$/g, "")) === pattern.host;
  }
}

function portMatches(pattern: HostPattern, port: number, side: "allow" | "deny"): boolean {
  if (pattern.port !== undefined) return pattern.port === port;
  return side === "deny" || WEB_PORTS.includes(port);
}

/** Whether `pattern` covers `host:port` (allow entries without a port cover the web ports only). */
export function matchesPattern(pattern: HostPattern, host: string, port: number, side: "allow" | "deny"): boolean {
  return hostMatches(pattern, host) && portMatches(pattern, port, side);
}

/** A short list of the allowlist for messages: the first few entries, then how many more. */
export function describeAllowlist(rules: NetworkRules, max = 4): string {
  if (rules.allow.length === 0) return "the allowlist is empty";
  const shown = rules.allow.slice(0, max).map((p) => p.source);
  return shown.join(", ") + (rules.allow.length > max ? `, … (${rules.allow.length - max} more)` : "");
}

/**
 * The decision for a connection to `host:port`, in the policy's order: a deny entry wins, then an allow
 * entry, then the default (deny). A host allowed on other ports is denied with that said.
 */
export function decideConnection(rules: NetworkRules, host: string, port: number): ConnectionDecision {
  const denied = rules.deny.find((p) => matchesPattern(p, host, port, "deny"));
  if (denied) return { verdict: "deny", rule: denied, reason: `denied by --deny-host ${denied.source}` };
  const allowed = rules.allow.find((p) => matchesPattern(p, host, port, "allow"));
  if (allowed) return { verdict: "allow", rule: allowed };
  const otherPort = rules.allow.find((p) => hostMatches(p, host));
  if (otherPort) {
    const ports = otherPort.port !== undefined ? String(otherPort.port) : WEB_PORTS.join(" and ");
    return { verdict: "deny", rule: otherPort, reason: `port ${port} is not allowed for ${host} (${otherPort.source} allows port ${ports})` };
  }
  return { verdict: "deny", rule: undefined, reason: `not in the allowlist: ${describeAllowlist(rules)}` };
}

/**
 * Whether an IP entry names exactly this resolved address (and port): the only way a name that resolves to
 * loopback, a private range or the host itself is let through.
 */
export function allowsExactAddress(rules: NetworkRules, address: string, port: number): HostPattern | undefined {
  return rules.allow.find((p) => p.kind === "ip" && matchesPattern(p, address, port, "allow"));
}

/** A deny entry naming the resolved address: a name that resolves to a denied IP is denied too. */
export function deniesAddress(rules: NetworkRules, address: string, port: number): HostPattern | undefined {
  return rules.deny.find((p) => p.kind === "ip" && matchesPattern(p, address, port, "deny"));
}
