// The sandbox's settings from flags and the config file: env rebuilt (allow, deny, pass, presets), limits, dirs, network.
import { mkdtempSync, realpathSync, rmSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sandboxSection } from "../../src/sandbox/config-schema.js";
import { buildEnv, DEFAULT_ALLOW, DEFAULT_DENY } from "../../src/sandbox/env.js";
import { resolveSandboxSettings, type SandboxInput } from "../../src/sandbox/options.js";
import { parseSize } from "../../src/sandbox/size.js";
import { choosePreset } from "../../src/sandbox/presets.js";

const dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), "acp-sandbox-options-")));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hostEnv: NodeJS.ProcessEnv = {
  HOME: "/home/ann",
  PATH: "/usr/bin:/bin",
  LANG: "C.UTF-8",
  LC_ALL: "C.UTF-8",
  TERM: "xterm",
  MY_API_TOKEN: "tok-1234567890",
  AWS_SECRET_ACCESS_KEY: "aws-secret-value",
  GITHUB_TOKEN: "ghp_secretvalue",
  ANTHROPIC_API_KEY: "sk-ant-secret",
  OPENAI_API_KEY: "sk-openai-secret",
  DB_PASSWORD: "hunter2hunter2",
  SSH_AUTH_SOCK: "/run/user/1000/ssh-agent",
  MY_SETTING: "plain",
  EDITOR: "vim",
};

const resolve = (over: Partial<SandboxInput> = {}) =>
  resolveSandboxSettings({ values: {}, agent: ["/usr/bin/node", "agent.js"], env: hostEnv, cwd: dir, workspace: dir, ...over });

describe("the sandbox's environment", () => {
  it("is rebuilt from the allowlist; the blocklist drops secrets; HOME stays (each backend decides what it is)", () => {
    const { env } = resolve().spec;
    expect(env).toEqual({ HOME: "/home/ann", PATH: "/usr/bin:/bin", LANG: "C.UTF-8", LC_ALL: "C.UTF-8", TERM: "xterm" });
  });

  it("passes a secret by name with --pass-env, and its value joins the redaction list", () => {
    const settings = resolve({ values: { "pass-env": ["MY_API_TOKEN"] } });
    expect(settings.spec.env["MY_API_TOKEN"]).toBe("tok-1234567890");
    expect(settings.secrets).toContain("tok-1234567890");
    expect(settings.spec.env["AWS_SECRET_ACCESS_KEY"]).toBeUndefined();
  });

  it("--allow-env copies more, but the blocklist still wins; a bare * is refused", () => {
    const { env } = resolve({ values: { "allow-env": ["MY_*", "EDITOR"] } }).spec;
    expect(env["MY_SETTING"]).toBe("plain");
    expect(env["EDITOR"]).toBe("vim");
    expect(env["MY_API_TOKEN"]).toBeUndefined();
    expect(() => resolve({ values: { "allow-env": ["*"] } })).toThrow("--allow-env '*' is not allowed: it would copy every secret; name the variables");
    expect(() => resolve({ values: { "pass-env": ["NOT-A-NAME"] } })).toThrow("Expected --pass-env to be a variable name like MY_API_TOKEN, got `NOT-A-NAME`");
  });

  it("says when a variable to pass is not set", () => {
    expect(resolve({ values: { "pass-env": ["NOPE_NOT_SET"] } }).notices).toContain("--pass-env NOPE_NOT_SET: not set in this environment; nothing to pass");
  });

  it("the config file: allow and set add, deny wins even over pass", () => {
    const section = sandboxSection.parse({ env: { allow: ["EDITOR"], pass: ["MY_API_TOKEN", "DB_PASSWORD"], deny: ["DB_*"], set: { FOO: "bar" } } });
    const { env } = resolve({ section }).spec;
    expect(env["EDITOR"]).toBe("vim");
    expect(env["MY_API_TOKEN"]).toBe("tok-1234567890");
    expect(env["DB_PASSWORD"]).toBeUndefined();
    expect(env["FOO"]).toBe("bar");
  });

  it("matches the default lists on the usual secret names", () => {
    const env = buildEnv(hostEnv, { allow: [...DEFAULT_ALLOW, "*_KEY", "*_TOKEN", "SSH_AUTH_SOCK", "DB_PASSWORD"], deny: DEFAULT_DENY, pass: [], set: {} });
    for (const name of ["MY_API_TOKEN", "AWS_SECRET_ACCESS_KEY", "GITHUB_TOKEN", "ANTHROPIC_API_KEY", "DB_PASSWORD", "SSH_AUTH_SOCK"]) expect(env[name]).toBeUndefined();
  });
});

describe("presets", () => {
  it("list each variable once, even one passed again by --pass-env; an agent with none set says which it reads", () => {
    const twice = resolve({ agent: ["claude-agent-acp"], values: { "pass-env": ["ANTHROPIC_API_KEY"] } });
    expect(twice.notices).toContain("preset claude (Claude Code through claude-agent-acp): passing ANTHROPIC_API_KEY");
    const codex = resolve({ agent: ["codex-acp"], env: { HOME: "/home/ann", PATH: "/usr/bin" } });
    expect(codex.notices).toContain("preset codex (OpenAI Codex through codex-acp, its own sandbox off inside ours): none of its variables is set (OPENAI_API_KEY, CODEX_API_KEY, OPENAI_BASE_URL, ...)");
    expect(codex.presetEnv).toMatchObject({ TMPDIR: "/tmp", SHELL: "/bin/bash" });
    expect(codex.agentState?.hostPath).toBe("/home/ann/.local/state/acp-sandbox/agents/codex");
    expect(resolve({ agent: ["codex-acp"], values: { "agent-state": "none" } }).agentState).toBeUndefined();
    expect(() => resolve({ agent: ["codex-acp"], values: { "agent-state": "/home/ann" } })).toThrow(/whole home directory/);
  });

  it("recognise the common agents from their command lines", () => {
    expect(choosePreset("auto", ["npx", "@zed-industries/claude-code-acp"])?.name).toBe("claude");
    expect(choosePreset("auto", ["/home/ann/.npm/_npx/x/node_modules/.bin/claude-agent-acp"])?.name).toBe("claude");
    expect(choosePreset("auto", ["codex-acp"])?.name).toBe("codex");
    expect(choosePreset("auto", ["gemini", "--experimental-acp"])?.name).toBe("gemini");
    expect(choosePreset("auto", ["gemini"])).toBeUndefined();
    expect(choosePreset("none", ["codex-acp"])).toBeUndefined();
    expect(choosePreset("codex", ["anything"])?.name).toBe("codex");
  });

  it("pass the agent's variables by name and say that it needs the network", () => {
    const settings = resolve({ agent: ["claude-agent-acp"], values: { credentials: "env" } });
    expect(settings.spec.env["ANTHROPIC_API_KEY"]).toBe("sk-ant-secret");
    expect(settings.spec.env["OPENAI_API_KEY"]).toBeUndefined();
    expect(settings.secrets).toContain("sk-ant-secret");
    expect(settings.notices).toContain("preset claude (Claude Code through claude-agent-acp): passing ANTHROPIC_API_KEY");
    expect(resolve({ agent: ["claude-agent-acp"], values: { network: "none" } }).isolatedNotices.join("\n")).toMatch(/^claude must reach api\.anthropic\.com, .*, but the network is none; pass --network allow to let it reach those hosts only$/m);
    expect(resolve({ agent: ["claude-agent-acp"], values: { network: "open" } }).isolatedNotices.join("\n")).not.toContain("network is none");
    expect(resolve({ agent: ["claude-agent-acp"], values: { preset: "none" } }).spec.env["ANTHROPIC_API_KEY"]).toBeUndefined();
  });
});

describe("network, limits, directories, isolation", () => {
  it("defaults to no network, 1024 pids, 4 GiB, no CPU cap; flags and the config file change them", () => {
    const defaults = resolve().spec;
    expect(defaults.network).toBe("none");
    expect(defaults.limits).toEqual({ pids: 1024, memoryBytes: 4 * 1024 ** 3, tmpBytes: 1024 ** 3 });
    const flags = resolve({ values: { network: "open", memory: "512m", pids: "256", cpus: "1.5" } }).spec;
    expect(flags.network).toBe("open");
    expect(flags.limits).toEqual({ pids: 256, memoryBytes: 512 * 1024 ** 2, tmpBytes: 1024 ** 3, cpus: 1.5 });
    const file = resolve({ section: sandboxSection.parse({ network: "open", limits: { memory: "1g", pids: 128, cpus: 2 } }) }).spec;
    expect(file.limits).toEqual({ pids: 128, memoryBytes: 1024 ** 3, tmpBytes: 1024 ** 3, cpus: 2 });
    expect(file.network).toBe("open");
  });

  it("refuses limits that make no sense, naming what was expected", () => {
    expect(() => parseSize("lots", "--memory")).toThrow("Expected --memory to be a size like 512m or 2g, got `lots`");
    expect(() => parseSize("1m", "--memory")).toThrow("Expected --memory to be at least 64m, got `1m`");
    expect(() => resolve({ values: { pids: "8" } })).toThrow("Expected --pids to be at least 32, got `8`");
    expect(() => resolve({ values: { cpus: "0" } })).toThrow("Expected --cpus to be a positive number like 1.5, got `0`");
  });

  it("--ro and --rw show directories at their resolved path; a missing one or / is refused", () => {
    const link = path.join(dir, "link-to-tmp");
    symlinkSync(os.tmpdir(), link);
    const settings = resolve({ values: { ro: [link], rw: ["."] } });
    expect(settings.granted).toEqual([
      { hostPath: realpathSync(os.tmpdir()), runtimePath: realpathSync(os.tmpdir()), writable: false },
      { hostPath: dir, runtimePath: dir, writable: true },
    ]);
    expect(settings.spec.extraDirectories).toEqual(expect.arrayContaining([...settings.granted]));
    expect(() => resolve({ values: { ro: ["/nonexistent/dir"] } })).toThrow("Expected --ro to name an existing directory, got `/nonexistent/dir`");
    expect(() => resolve({ values: { rw: ["/"] } })).toThrow("--rw / would show the whole host; name a narrower directory");
  });

  it("--require-isolation comes from the flag or the config file; Docker options from either", () => {
    expect(resolve().requireIsolation).toBe(false);
    expect(resolve({ values: { "require-isolation": true } }).requireIsolation).toBe(true);
    expect(resolve({ section: sandboxSection.parse({ requireIsolation: true }) }).requireIsolation).toBe(true);
    const docker = resolve({ values: { image: "node:20" }, section: sandboxSection.parse({ docker: { image: "ignored:1", runtime: "runsc", persist: "reuse" } }) });
    expect(docker.providerOptions).toMatchObject({ image: "node:20", runtime: "runsc", persist: "reuse" });
  });
});

describe("the config file's sandbox section", () => {
  it("refuses unknown keys, bare globs and bad values with the reason", () => {
    const bad = sandboxSection.safeParse({ env: { allow: ["*"] }, limits: { pids: 4 }, typo: true });
    expect(bad.success).toBe(false);
    const messages = bad.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        "env.allow.0: patterns like '*' are not allowed: they would copy every secret",
        "limits.pids: fewer than 32 processes cannot run an agent",
      ]),
    );
    expect(bad.error!.issues.some((i) => i.code === "unrecognized_keys")).toBe(true);
  });
});
