// Finding the agent on the host and what to mount for it: npx's cache, package roots, never HOME itself.
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type AgentContext, planAgentMounts, plannedProcess } from "../../src/sandbox/agent-mounts.js";
import { ROOT, SCRIPTED_AGENT } from "../support/bridge.js";

const base = realpathSync(mkdtempSync(path.join(os.tmpdir(), "acp-sandbox-agent-mounts-")));
afterAll(() => rmSync(base, { recursive: true, force: true }));
const home = path.join(base, "home");
const workspace = path.join(base, "workspace");
mkdirSync(workspace, { recursive: true });
mkdirSync(home, { recursive: true });

function file(p: string, text: string, mode = 0o644): string {
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, text);
  chmodSync(p, mode);
  return p;
}

const context = (over: Partial<AgentContext> = {}): AgentContext => ({ path: "/usr/bin:/bin", cwd: workspace, workspace, home, ...over });

describe("planAgentMounts", () => {
  it("runs an npx-installed agent from npx's cache and mounts only that install (not HOME)", () => {
    const install = path.join(home, ".npm", "_npx", "0a1b2c", "node_modules");
    const pkg = path.join(install, "@zed-industries", "claude-code-acp");
    file(path.join(pkg, "package.json"), JSON.stringify({ name: "@zed-industries/claude-code-acp", bin: { "claude-code-acp": "dist/index.js" } }));
    const bin = file(path.join(pkg, "dist", "index.js"), "#!/usr/bin/env node\nconsole.log('agent');\n", 0o755);
    // An older install of the same package: the newest wins.
    const older = path.join(home, ".npm", "_npx", "ffff", "node_modules", "@zed-industries", "claude-code-acp", "package.json");
    file(older, JSON.stringify({ name: "x", bin: "old.js" }));
    utimesSync(older, new Date(2000, 1, 1), new Date(2000, 1, 1));

    const plan = planAgentMounts(["npx", "@zed-industries/claude-code-acp@0.5.1", "--verbose"], context());
    expect(plan.problem).toBeUndefined();
    expect(plan.argv).toEqual([bin, "--verbose"]);
    expect(plan.mounts).toEqual([{ hostPath: install, reason: "the agent's package, installed by npx" }]);
    expect(plan.mounts.map((m) => m.hostPath)).not.toContain(home);
  });

  it("says what to do when npx has not installed the package yet", () => {
    const plan = planAgentMounts(["npx", "codex-acp"], context());
    expect(plan.problem).toBe(`codex-acp is not in npx's cache (${path.join(home, ".npm", "_npx")}); run \`npx codex-acp --help\` once on the host so that it is installed, or install it with npm install -g`);
    expect(plan.argv).toEqual(["npx", "codex-acp"]);
  });

  it("mounts a script's package root (with its node_modules), and leaves system programs as they are", () => {
    const plan = planAgentMounts([process.execPath, SCRIPTED_AGENT], context());
    expect(plan.problem).toBeUndefined();
    expect(plan.argv).toEqual([process.execPath, SCRIPTED_AGENT]);
    expect(plan.mounts).toEqual([{ hostPath: ROOT, reason: "the agent's script and its package" }]);
  });

  it("resolves a program on PATH through its symlinks and mounts the node_modules it lives in", () => {
    const prefix = path.join(base, "opt-tools");
    const real = file(path.join(prefix, "lib", "node_modules", "codex-acp", "bin", "codex-acp.js"), "#!/bin/sh\necho hi\n", 0o755);
    mkdirSync(path.join(prefix, "bin"), { recursive: true });
    symlinkSync(real, path.join(prefix, "bin", "codex-acp"));
    const plan = planAgentMounts(["codex-acp", "--model", "x"], context({ path: `${path.join(prefix, "bin")}:/usr/bin` }));
    expect(plan.argv).toEqual([real, "--model", "x"]);
    expect(plan.mounts).toEqual([{ hostPath: path.join(prefix, "lib", "node_modules"), reason: "the agent's program" }]);
  });

  it("mounts a node runtime that lives outside the system directories (nvm) by its prefix", () => {
    const nvm = path.join(home, ".nvm", "versions", "node", "v20.0.0");
    const node = file(path.join(nvm, "bin", "node"), "#!/bin/sh\n", 0o755);
    const script = file(path.join(base, "tools", "agent", "package.json"), "{}");
    const main = file(path.join(path.dirname(script), "main.js"), "#!/usr/bin/env node\n", 0o755);
    const plan = planAgentMounts([main], context({ path: `${path.dirname(node)}:/usr/bin` }));
    expect(plan.mounts).toEqual([
      { hostPath: path.dirname(script), reason: "the agent's program" },
      { hostPath: nvm, reason: "the agent's runtime" },
    ]);
  });

  it("never mounts HOME for a loose script in it: only the file itself", () => {
    const loose = file(path.join(home, "my-agent.js"), "console.log(1)\n");
    const plan = planAgentMounts([process.execPath, loose], context());
    expect(plan.mounts).toEqual([{ hostPath: loose, reason: "the agent's script and its package" }]);
  });

  it("mounts nothing for a program inside the workspace, and names a missing one with the fix", () => {
    const own = file(path.join(workspace, "bin", "agent"), "#!/bin/sh\n", 0o755);
    expect(planAgentMounts([own], context()).mounts).toEqual([]);
    const missing = planAgentMounts(["no-such-agent-anywhere"], context());
    expect(missing.problem).toBe("the agent no-such-agent-anywhere is not found on PATH (/usr/bin:/bin); install it on the host, give its full path, or use --sandbox docker with an image that contains it");
  });
});

describe("plannedProcess", () => {
  it("swaps in the planned command line for the agent only", () => {
    const plan = { original: ["npx", "pkg", "--acp"], argv: ["/cache/pkg/index.js", "--acp"], mounts: [] };
    expect(plannedProcess(plan, { command: "npx", args: ["pkg", "--acp"], cwd: "/w" })).toEqual({ command: "/cache/pkg/index.js", args: ["--acp"], cwd: "/w" });
    expect(plannedProcess(plan, { command: "npx", args: ["other"] })).toEqual({ command: "npx", args: ["other"] });
    expect(plannedProcess(plan, { command: "sh", args: ["-c", "ls"] })).toEqual({ command: "sh", args: ["-c", "ls"] });
  });
});
