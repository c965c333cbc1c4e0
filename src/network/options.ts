// Resolves --network, --allow-host, --deny-host and --credentials once, at the edge: the mode, the rules, the gateway.
import { UsageError } from "../errors.js";
import { HostPatternError, type HostPattern, parseHostPattern, type NetworkRules } from "../policy/network-rules.js";
import { type GatewayRoute, planGateway } from "./gateway-presets.js";
import { GATEWAY_URL, proxyEnvironment } from "./inside/layout.js";
import { createResolver, testOverrides } from "./resolve.js";
import type { NetworkPlan } from "./service.js";

export type NetworkMode = "none" | "allow" | "open";
export type CredentialsMode = "gateway" | "env";

/** The `network` value of the config file's `sandbox` section: a mode, or a mode with lists. */
export type NetworkSection = NetworkMode | { readonly mode?: NetworkMode | undefined; readonly allow?: readonly string[] | undefined; readonly deny?: readonly string[] | undefined };

export interface NetworkInput {
  readonly values: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly section: NetworkSection | undefined;
  readonly credentials: CredentialsMode | undefined;
  /** The recognised preset, if any: its name and hosts. */
  readonly preset: { readonly name: string; readonly hosts: readonly string[] } | undefined;
  /** The agent's command (for the message when no preset recognises it). */
  readonly agent: readonly string[];
  /** The bridge's own environment (the keys are read here, never copied into the sandbox in gateway mode). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The sandbox's environment as built so far (its NODE_OPTIONS is kept). */
  readonly sandboxEnv: Readonly<Record<string, string>>;
}

export interface NetworkSettings {
  readonly mode: NetworkMode;
  /** Whether the mode was asked for (a flag or the config file), rather than the default. */
  readonly explicit: boolean;
  readonly credentials: CredentialsMode;
  /** With `allow`: what the host side needs to start the proxy and the gateway. */
  readonly plan: NetworkPlan | undefined;
  /** Set in the sandbox's environment (proxy variables, the gateway's base URL and placeholders). */
  readonly env: Readonly<Record<string, string>>;
  /** Removed from the sandbox's environment (keys the gateway holds instead). */
  readonly withheld: readonly string[];
  readonly notices: readonly string[];
  /** Said to the editor at session start (an agent message), not only on stderr. */
  readonly editorNotice: string | undefined;
}

function list(values: NetworkInput["values"], name: string): string[] {
  const value = values[name];
  return Array.isArray(value) ? value : typeof value === "string" ? [value] : [];
}

function parseEntries(entries: readonly string[], where: string): HostPattern[] {
  return entries.map((entry) => {
    try {
      return parseHostPattern(entry);
    } catch (error) {
      if (error instanceof HostPatternError) throw new UsageError(`${where} ${error.message}`);
      throw error;
    }
  });
}

export function resolveNetwork(input: NetworkInput): NetworkSettings {
  const { values, section, preset } = input;
  const flag = typeof values["network"] === "string" ? (values["network"] as NetworkMode) : undefined;
  const fromFile = typeof section === "string" ? section : section?.mode;
  const allowFlags = list(values, "allow-host");
  const denyFlags = list(values, "deny-host");
  const allowFile = typeof section === "object" ? (section.allow ?? []) : [];
  const denyFile = typeof section === "object" ? (section.deny ?? []) : [];
  const allow = [...parseEntries(allowFile, "sandbox.network.allow:"), ...parseEntries(allowFlags, "--allow-host")];
  const deny = [...parseEntries(denyFile, "sandbox.network.deny:"), ...parseEntries(denyFlags, "--deny-host")];
  const explicit = flag !== undefined || fromFile !== undefined;
  const localChosen = values["sandbox"] === "local";
  // The default: the preset's hosts through the proxy; no preset and no host named: no network at all. Where the
  // sandbox turns out to be local, which enforces nothing, a default `allow` becomes the host's network at start.
  const mode: NetworkMode = flag ?? fromFile ?? (preset || allow.length > 0 ? "allow" : "none");
  if (mode !== "allow" && (allowFlags.length > 0 || denyFlags.length > 0)) {
    throw new UsageError(`--${allowFlags.length > 0 ? "allow" : "deny"}-host applies to --network allow, but the network is ${mode}`);
  }
  if (mode === "allow" && localChosen && explicit) {
    throw new UsageError("--network allow cannot be enforced by the local sandbox (the agent is a plain host process: it reaches every host and sees its keys); pass --sandbox bwrap or --sandbox docker, or --network open");
  }
  const credentialsFlag = typeof values["credentials"] === "string" ? (values["credentials"] as CredentialsMode) : undefined;
  const credentials: CredentialsMode = credentialsFlag ?? input.credentials ?? (mode === "allow" ? "gateway" : "env");
  if (credentials === "gateway" && mode !== "allow") {
    throw new UsageError(`--credentials gateway needs --network allow (the network is ${mode})`);
  }
  const notices: string[] = [];
  let editorNotice: string | undefined;
  if (mode === "none" && !explicit && !localChosen) {
    const command = input.agent[0] ?? "the agent";
    editorNotice =
      `network: off — no preset recognises \`${command}\`, so the agent can reach no host. ` +
      `Pass --network allow --allow-host HOST (or --preset claude|codex|gemini) to let it reach the hosts it needs, or --network open for everything.`;
    notices.push(editorNotice);
  }
  if (mode === "none" && preset && explicit) notices.push(`${preset.name} must reach ${preset.hosts.join(", ")}, but the network is none; pass --network allow to let it reach those hosts only`);
  if (mode !== "allow") return { mode, explicit, credentials, plan: undefined, env: {}, withheld: [], notices, editorNotice };

  const presetHosts = preset ? parseEntries(preset.hosts, `the ${preset.name} preset's host`) : [];
  const rules: NetworkRules = { allow: [...presetHosts, ...allow], deny };
  let gateway: GatewayRoute | undefined;
  const env: Record<string, string> = proxyEnvironment(input.sandboxEnv["NODE_OPTIONS"]);
  let withheld: string[] = [];
  if (credentials === "gateway" && preset) {
    const route = planGateway(preset.name, input.env, GATEWAY_URL);
    if ("none" in route) notices.push(`credential gateway: not used for ${preset.name} (${route.none})`);
    else {
      gateway = route;
      Object.assign(env, route.sandboxEnv);
      withheld = [...route.withheld];
      notices.push(`credential gateway: ${preset.name}'s key stays on the host; the agent reaches ${route.upstream.origin} through ${GATEWAY_URL}`);
    }
  }
  notices.push(`network: allow — only ${rules.allow.length ? rules.allow.map((p) => p.source).join(", ") : "no host"} through the proxy${deny.length ? `, never ${deny.map((p) => p.source).join(", ")}` : ""}; DNS is closed inside`);
  const plan: NetworkPlan = { rules, gateway, resolve: createResolver(testOverrides(input.env)) };
  return { mode, explicit, credentials, plan, env, withheld, notices, editorNotice };
}
