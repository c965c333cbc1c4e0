// The credential gateway's table: for each preset, its base-URL variable, its keys and the header each belongs in.
export interface GatewayKey {
  /** The host variable holding the key; inside the sandbox it holds PLACEHOLDER_KEY instead. */
  readonly variable: string;
  readonly header: "x-api-key" | "authorization" | "x-goog-api-key";
}

export interface GatewayPreset {
  readonly preset: string;
  /** The variable the agent reads its API's base URL from. */
  readonly baseUrlVariable: string;
  readonly defaultBaseUrl: string;
  /** In order of preference; each key set on the host goes into its own header. */
  readonly keys: readonly GatewayKey[];
  /** Set on the host: the agent talks to another provider (Bedrock, Vertex) and the gateway stays out of it. */
  readonly bypass: readonly string[];
}

/** What the agent sees in place of a key: a word, never a secret. */
export const PLACEHOLDER_KEY = "acp-sandbox-gateway-placeholder";

export const GATEWAY_PRESETS: readonly GatewayPreset[] = [
  {
    preset: "claude",
    baseUrlVariable: "ANTHROPIC_BASE_URL",
    defaultBaseUrl: "https://api.anthropic.com",
    keys: [
      { variable: "ANTHROPIC_API_KEY", header: "x-api-key" },
      { variable: "ANTHROPIC_AUTH_TOKEN", header: "authorization" },
    ],
    bypass: ["CLAUDE_CODE_USE_BEDROCK", "CLAUDE_CODE_USE_VERTEX"],
  },
  {
    preset: "codex",
    baseUrlVariable: "OPENAI_BASE_URL",
    defaultBaseUrl: "https://api.openai.com/v1",
    keys: [{ variable: "OPENAI_API_KEY", header: "authorization" }],
    bypass: [],
  },
  {
    preset: "gemini",
    baseUrlVariable: "GOOGLE_GEMINI_BASE_URL",
    defaultBaseUrl: "https://generativelanguage.googleapis.com",
    keys: [
      { variable: "GEMINI_API_KEY", header: "x-goog-api-key" },
      { variable: "GOOGLE_API_KEY", header: "x-goog-api-key" },
    ],
    bypass: ["GOOGLE_GENAI_USE_VERTEXAI"],
  },
];

/** The real endpoint and the headers to put on every forwarded request (the secret lives only here). */
export interface GatewayRoute {
  readonly preset: string;
  readonly upstream: URL;
  readonly headers: Readonly<Record<string, string>>;
  /** Variables the sandbox gets instead: the base URL pointing at the gateway, placeholders for the keys. */
  readonly sandboxEnv: Readonly<Record<string, string>>;
  /** Host variables that must not reach the sandbox (the real keys). */
  readonly withheld: readonly string[];
}

const truthy = (value: string | undefined) => value !== undefined && value !== "" && value !== "0" && value.toLowerCase() !== "false";

/**
 * The route for `preset` given the host's environment, or why there is none (no key set, another provider
 * chosen, a base URL that is not http(s)). `gatewayUrl` is where the gateway appears inside the sandbox.
 */
export function planGateway(preset: string, env: Readonly<Record<string, string | undefined>>, gatewayUrl: string): GatewayRoute | { readonly none: string } {
  const table = GATEWAY_PRESETS.find((p) => p.preset === preset);
  if (!table) return { none: `no gateway for the ${preset} preset` };
  const other = table.bypass.find((name) => truthy(env[name]));
  if (other) return { none: `${other} is set: the agent talks to another provider` };
  const keys = table.keys.filter((k) => (env[k.variable] ?? "") !== "");
  if (keys.length === 0) return { none: `none of ${table.keys.map((k) => k.variable).join(", ")} is set` };
  let upstream: URL;
  const base = env[table.baseUrlVariable] || table.defaultBaseUrl;
  try {
    upstream = new URL(base);
  } catch {
    return { none: `${table.baseUrlVariable} is not a URL` };
  }
  if (upstream.protocol !== "https:" && upstream.protocol !== "http:") return { none: `${table.baseUrlVariable} is not an http(s) URL` };
  const headers: Record<string, string> = {};
  const sandboxEnv: Record<string, string> = {};
  for (const key of keys) {
    if (headers[key.header] !== undefined) continue;
    const value = env[key.variable]!;
    headers[key.header] = key.header === "authorization" ? `Bearer ${value}` : value;
    sandboxEnv[key.variable] = PLACEHOLDER_KEY;
  }
  const path = upstream.pathname.replace(/\/$/, "");
  sandboxEnv[table.baseUrlVariable] = gatewayUrl + path;
  return { preset, upstream, headers, sandboxEnv, withheld: table.keys.map((k) => k.variable) };
}
