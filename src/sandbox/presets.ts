// Presets for the common agents: which environment variables each needs and which hosts it must reach.
import path from "node:path";

export interface AgentPreset {
  readonly name: string;
  readonly description: string;
  /** Passed into the sandbox by name when set on the host (the blocklist would drop most of them). */
  readonly env: readonly string[];
  /** Fixed values the agent needs inside an isolating sandbox (a writable TMPDIR, a SHELL that exists). */
  readonly set: Readonly<Record<string, string>>;
  /** Hosts the agent must reach: the allowlist of `--network allow` (the README's table is checked against these). */
  readonly hosts: readonly string[];
  /** Arguments that make the agent a terminal program (its advertised terminal-auth args), not an ACP one. */
  readonly terminalArgs?: readonly string[];
  /** Whether an agent command line is this agent. */
  matches(argv: readonly string[]): boolean;
}

const words = (argv: readonly string[]) => argv.map((word) => path.basename(word).replace(/@[^/]*$/, ""));

export const PRESETS: readonly AgentPreset[] = [
  {
    name: "claude",
    description: "Claude Code through claude-agent-acp",
    env: [
      "ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL", "ANTHROPIC_MODEL", "ANTHROPIC_SMALL_FAST_MODEL", "ANTHROPIC_DEFAULT_SONNET_MODEL", "ANTHROPIC_DEFAULT_OPUS_MODEL", "ANTHROPIC_DEFAULT_HAIKU_MODEL",
      "CLAUDE_CODE_OAUTH_TOKEN", "CLAUDE_CODE_USE_BEDROCK", "CLAUDE_CODE_USE_VERTEX", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "DISABLE_TELEMETRY", "DISABLE_AUTOUPDATER", "DISABLE_ERROR_REPORTING",
    ],
    set: { TMPDIR: "/tmp", SHELL: "/bin/bash" },
    terminalArgs: ["--cli"],
    hosts: ["api.anthropic.com", "statsig.anthropic.com", "claude.ai", "console.anthropic.com"],
    matches: (argv) => words(argv).some((w) => w === "claude-agent-acp" || w === "claude-code-acp"),
  },
  {
    name: "codex",
    description: "OpenAI Codex through codex-acp, its own sandbox off inside ours",
    env: ["OPENAI_API_KEY", "CODEX_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID"],
    set: { TMPDIR: "/tmp", SHELL: "/bin/bash" },
    hosts: ["api.openai.com", "chatgpt.com", "auth.openai.com"],
    matches: (argv) => words(argv).some((w) => w === "codex-acp"),
  },
  {
    name: "gemini",
    description: "Gemini CLI in ACP mode (gemini --acp / --experimental-acp)",
    env: ["GEMINI_API_KEY", "GOOGLE_API_KEY", "GOOGLE_CLOUD_PROJECT", "GOOGLE_CLOUD_LOCATION", "GOOGLE_GENAI_USE_VERTEXAI", "GOOGLE_GENAI_USE_GCA", "GOOGLE_GEMINI_BASE_URL", "GEMINI_MODEL", "GEMINI_DEFAULT_AUTH_TYPE", "GEMINI_CLI_TRUST_WORKSPACE", "GOOGLE_APPLICATION_CREDENTIALS"],
    set: { TMPDIR: "/tmp", SHELL: "/bin/bash", GEMINI_SANDBOX: "false", GEMINI_CLI_NO_RELAUNCH: "true", NO_BROWSER: "true" },
    hosts: ["generativelanguage.googleapis.com", "oauth2.googleapis.com", "cloudcode-pa.googleapis.com"],
    matches: (argv) => words(argv).some((w) => w === "gemini" || w === "gemini-cli") && argv.some((a) => a === "--acp" || a === "--experimental-acp"),
  },
];

export const PRESET_NAMES = ["auto", "none", ...PRESETS.map((p) => p.name)] as const;

/** The preset for `--preset NAME`; `auto` recognises the agent command; `none` is no preset. */
export function choosePreset(choice: string, argv: readonly string[]): AgentPreset | undefined {
  if (choice === "none") return undefined;
  if (choice === "auto") return PRESETS.find((p) => p.matches(argv));
  return PRESETS.find((p) => p.name === choice);
}
