// `--network allow` as data: bwrap's argv and the container's options, read without spawning anything.
import { describe, expect, it } from "vitest";
import { type BwrapPlan, bwrapArgv } from "../../src/sandbox/bwrap/argv.js";
import { containerOptions } from "../../src/sandbox/docker/container-options.js";
import { resolveNetwork } from "../../src/network/options.js";
import type { SandboxSpec } from "../../src/sandbox/types.js";

const spec: SandboxSpec = { workspace: "/w/app", runtimeRoot: "/w/app", extraDirectories: [], env: { PATH: "/usr/bin" }, network: "allow", limits: {}, label: "app" };
const channel = { dir: "/tmp/acp-sandbox-bwrap-1-net-x", proxySocket: "/tmp/acp-sandbox-bwrap-1-net-x/proxy.sock", gatewaySocket: "/tmp/acp-sandbox-bwrap-1-net-x/gateway.sock" };
const plan: BwrapPlan = {
  spec,
  home: "/home/ann",
  scratchHome: "/tmp/s/home",
  scratchTmp: "/tmp/s/tmp",
  system: [{ kind: "dir", path: "/usr" }],
  masks: [],
  networkFiles: ["/run/resolv.conf"],
  network: { channel, node: "/opt/node/bin/node", bindNode: true },
};

describe("bwrap with --network allow", () => {
  it("keeps the network namespace empty, binds the sockets read-only and starts the process behind the forwarder", () => {
    const argv = bwrapArgv(plan, { command: "agent", args: ["--acp"] });
    expect(argv).toContain("--unshare-all");
    expect(argv).not.toContain("--share-net");
    expect(argv).not.toContain("/run/resolv.conf");
    expect(argv.join(" ")).toContain("--ro-bind /tmp/acp-sandbox-bwrap-1-net-x /tmp/.acp-sandbox-net --ro-bind /opt/node/bin/node /opt/node/bin/node");
    expect(argv.slice(argv.indexOf("--") + 1)).toEqual([
      "/opt/node/bin/node",
      "/tmp/.acp-sandbox-net/forward.cjs",
      "3128=/tmp/.acp-sandbox-net/proxy.sock",
      "3129=/tmp/.acp-sandbox-net/gateway.sock",
      "--",
      "agent",
      "--acp",
    ]);
  });
});

describe("docker with --network allow", () => {
  it("keeps Docker's network none (the forwarder exec is the way out)", () => {
    const options = containerOptions({ spec, image: "i", runtime: undefined, persist: "transient", session: "s", owner: "o", uid: 1, gid: 1, home: "/home/ann" });
    expect(options.HostConfig?.NetworkMode).toBe("none");
  });
});

describe("the network's settings", () => {
  const base = { values: {}, section: undefined, credentials: undefined, agent: ["claude-agent-acp"], sandboxEnv: {} };
  const claude = { name: "claude", hosts: ["api.anthropic.com"] };

  it("default to allow with the gateway for a preset, keeping the key out and the proxy in", () => {
    const net = resolveNetwork({ ...base, preset: claude, env: { ANTHROPIC_API_KEY: "sk-ant-real" } });
    expect(net).toMatchObject({ mode: "allow", explicit: false, credentials: "gateway", withheld: ["ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN"] });
    expect(net.env).toMatchObject({ ANTHROPIC_API_KEY: "acp-sandbox-gateway-placeholder", ANTHROPIC_BASE_URL: "http://127.0.0.1:3129", HTTPS_PROXY: "http://127.0.0.1:3128", https_proxy: "http://127.0.0.1:3128", NO_PROXY: "localhost,127.0.0.1,::1", NODE_USE_ENV_PROXY: "1" });
    expect(JSON.stringify(net.env)).not.toContain("sk-ant-real");
    expect(net.plan?.gateway?.headers).toEqual({ "x-api-key": "sk-ant-real" });
    expect(net.plan?.rules.allow.map((p) => p.source)).toEqual(["api.anthropic.com"]);
  });

  it("keep the host's base URL as the upstream, with its path, and use Bearer for a token", () => {
    const net = resolveNetwork({ ...base, preset: { name: "codex", hosts: ["api.openai.com"] }, agent: ["codex-acp"], env: { OPENAI_API_KEY: "sk-real", OPENAI_BASE_URL: "https://llm.example.com/openai/v1" } });
    expect(net.env["OPENAI_BASE_URL"]).toBe("http://127.0.0.1:3129/openai/v1");
    expect(net.plan?.gateway?.upstream.href).toBe("https://llm.example.com/openai/v1");
    expect(net.plan?.gateway?.headers).toEqual({ authorization: "Bearer sk-real" });
  });

  it("stay none for an unknown agent, with the notice for the editor; --allow-host alone turns allow on", () => {
    const none = resolveNetwork({ ...base, preset: undefined, agent: ["my-agent"], env: {} });
    expect(none).toMatchObject({ mode: "none", explicit: false });
    expect(none.editorNotice).toContain("no preset recognises `my-agent`");
    expect(none.editorNotice).toContain("--network allow --allow-host HOST");
    const allow = resolveNetwork({ ...base, values: { "allow-host": ["api.example.com"] }, preset: undefined, agent: ["my-agent"], env: {} });
    expect(allow.mode).toBe("allow");
    expect(allow.credentials).toBe("gateway");
    expect(allow.plan?.gateway).toBeUndefined();
  });

  it("take the config file's lists, checked as strictly as the flags", () => {
    const net = resolveNetwork({ ...base, section: { mode: "allow", allow: ["*.example.com"], deny: ["x.example.com"] }, preset: claude, env: {} });
    expect(net.plan?.rules.allow.map((p) => p.source)).toEqual(["api.anthropic.com", "*.example.com"]);
    expect(net.plan?.rules.deny.map((p) => p.source)).toEqual(["x.example.com"]);
    expect(() => resolveNetwork({ ...base, section: { allow: ["https://x.example.com"] }, preset: claude, env: {} })).toThrow("sandbox.network.allow: `https://x.example.com` has a scheme");
  });
});
