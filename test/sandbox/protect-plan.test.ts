// The protected list and the read-only mounts as data: what is protected and why, what the scan finds, what bwrap and docker get.
import { execFileSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { PROTECTED_RULES, protectedPattern, protectedRule, type TreeView } from "../../src/policy/protected.js";
import { scanProtected } from "../../src/policy/protected-scan.js";
import { bwrapArgv, type BwrapPlan } from "../../src/sandbox/bwrap/argv.js";
import { containerMounts } from "../../src/sandbox/docker/container-options.js";
import { createMountPoints } from "../../src/sandbox/protect/mount-points.js";
import { planProtection } from "../../src/sandbox/protect/plan.js";
import type { SandboxSpec } from "../../src/sandbox/types.js";
import { protectedBy } from "../../src/sync/protected.js";
import type { ManifestEntry } from "../../src/sync/types.js";

const dirs: string[] = [];
function workspace(files: Record<string, string | null>): string {
  const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), "acp-protect-plan-")));
  dirs.push(root);
  for (const [rel, text] of Object.entries(files)) {
    const full = path.join(root, rel);
    mkdirSync(path.dirname(full), { recursive: true });
    if (text === null) mkdirSync(full, { recursive: true });
    else writeFileSync(full, text);
  }
  return root;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const tree = (entries: Record<string, "file" | "dir" | "symlink">): TreeView => ({ kind: (rel) => entries[rel] });
const repo = { HEAD: "ref: refs/heads/main\n", "objects/": null, "refs/heads/": null } as const;
const gitDir = (prefix: string) => Object.fromEntries(Object.entries(repo).map(([k, v]) => [`${prefix}/${k}`.replace(/\/$/, ""), v]));

describe("the protected list", () => {
  it("gives every entry a reason", () => {
    for (const rule of PROTECTED_RULES) expect(rule.reason.length, rule.pattern).toBeGreaterThan(10);
  });

  it("covers git's indirections", () => {
    for (const rel of [".git/commondir", ".git/info/attributes", ".git/config.worktree", ".git/worktrees/w/config.worktree", ".git/worktrees/w/commondir", ".git/modules/m/config", ".git/modules/a/b/hooks/post-checkout", ".git/hooks"]) {
      expect(protectedRule(rel), rel).toBeDefined();
    }
    expect(protectedRule(".git/HEAD")).toBeUndefined();
    expect(protectedRule(".git/index")).toBeUndefined();
  });

  it("protects a .git file, not a .git directory (its contents are judged one by one)", () => {
    expect(protectedRule("sub/.git", tree({ "sub/.git": "file" }))?.pattern).toBe("**/.git");
    expect(protectedRule("sub/.git", tree({ "sub/.git": "dir" }))).toBeUndefined();
    expect(protectedRule("sub/.git")?.pattern).toBe("**/.git"); // a write creates a file
  });

  it("protects config, hooks and info beside HEAD (a bare repository), and nothing where there is no HEAD", () => {
    const bare = tree({ "srv/repo.git/HEAD": "file" });
    expect(protectedRule("srv/repo.git/config", bare)?.pattern).toBe("**/config");
    expect(protectedRule("srv/repo.git/hooks/update", bare)?.pattern).toBe("**/hooks/**");
    expect(protectedRule("srv/repo.git/info/attributes", bare)?.pattern).toBe("**/info/**");
    expect(protectedRule("src/config", bare)).toBeUndefined();
    expect(protectedRule("src/hooks/useThing.ts", bare)).toBeUndefined();
  });

  it("adds core.hooksPath and include targets of the workspace's git config (ToolHost and sync)", () => {
    const root = workspace({ ".husky/pre-commit": "#!/bin/sh\n", "shared.gitconfig": "" });
    execFileSync("git", ["init", "-q", root]);
    execFileSync("git", ["-C", root, "config", "core.hooksPath", ".husky"]);
    execFileSync("git", ["-C", root, "config", "include.path", "../shared.gitconfig"]);
    expect(protectedPattern(root, path.join(root, ".husky/pre-commit"))).toBe(".husky/**");
    expect(protectedPattern(root, path.join(root, "shared.gitconfig"))).toBe("shared.gitconfig");
    expect(protectedBy("shared.gitconfig", new Map(), root)).toBe("shared.gitconfig");
    expect(protectedPattern(root, path.join(root, "src/a.ts"))).toBeUndefined();
  });

  it("sync judges the runtime's listing: a .git file and a config beside HEAD never come back", () => {
    const runtime = new Map<string, ManifestEntry>([
      ["sub/.git", { type: "file", mode: 0o644, size: 20, mtimeMs: 0 }],
      ["bare/HEAD", { type: "file", mode: 0o644, size: 20, mtimeMs: 0 }],
      ["bare/config", { type: "file", mode: 0o644, size: 20, mtimeMs: 0 }],
      ["lib/.git", { type: "dir", mode: 0o755, size: 0, mtimeMs: 0 }],
    ]);
    expect(protectedBy("sub/.git", runtime)).toBe("**/.git");
    expect(protectedBy("bare/config", runtime)).toBe("**/config");
    expect(protectedBy("lib/.git", runtime)).toBeUndefined();
    expect(protectedBy(".git/commondir", runtime)).toBe("**/.git/commondir");
  });
});

describe("the scan and the mounts", () => {
  it("finds protected paths at any depth, nested and bare repositories included, and skips node_modules", () => {
    const root = workspace({
      ...gitDir(".git"),
      ".git/config": "",
      ".git/hooks/pre-commit.sample": "",
      ...gitDir("vendor/lib/.git"),
      "vendor/lib/.git/config": "",
      ...gitDir("srv/bare.git"),
      "srv/bare.git/config": "",
      ".vscode/settings.json": "{}",
      "deep/a/b/c/.envrc": "",
      "node_modules/x/.vscode/tasks.json": "{}",
      "sub/.git": "gitdir: ../elsewhere\n",
    });
    const scan = scanProtected(root, { gitConfigs: false });
    expect([...scan.roots.keys()].sort()).toEqual([".git/config", ".git/hooks", ".vscode", "deep/a/b/c/.envrc", "srv/bare.git/config", "sub/.git", "vendor/lib/.git/config"]);
    expect(scan.gitDirs.map((g) => `${g.rel}${g.bare ? " (bare)" : ""}`).sort()).toEqual([".git", "srv/bare.git (bare)", "vendor/lib/.git"]);
    expect(scan.entries.has(".vscode/settings.json")).toBe(true);
  });

  it("binds each git directory onto itself, its protected paths read-only on top, and makes room for missing hooks and info", () => {
    const root = workspace({ ...gitDir(".git"), ".git/config": "", ".git/hooks/x": "", ".vscode/tasks.json": "{}", ".vscode/inner/.git/HEAD": "" });
    symlinkSync("/etc/passwd", path.join(root, ".envrc"));
    const plan = planProtection(scanProtected(root, { gitConfigs: false }));
    expect(plan.mounts).toEqual([
      { rel: ".git", mode: "self" },
      { rel: ".vscode", mode: "ro" },
      { rel: ".git/config", mode: "ro" },
      { rel: ".git/hooks", mode: "ro" },
      { rel: ".git/info", mode: "ro" },
    ]);
    expect(plan.create).toEqual([{ rel: ".git/info", kind: "dir" }]);
  });

  it("is bounded: past the limit, mounts are left out and said so", () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 5; i++) files[`p${i}/.envrc`] = "";
    const plan = planProtection(scanProtected(workspace(files), { gitConfigs: false }), 3);
    expect(plan.mounts).toHaveLength(3);
    expect(plan.leftOut).toEqual(["p3/.envrc", "p4/.envrc"]);
  });

  const spec: SandboxSpec = { workspace: "/w", runtimeRoot: "/w", extraDirectories: [], env: {}, network: "none", limits: {}, label: "w" };
  const protect = { mounts: [{ rel: ".git", mode: "self" as const }, { rel: ".git/hooks", mode: "ro" as const }], create: [], leftOut: [] };

  it("bwrap: the workspace, then .git onto itself, then .git/hooks read-only", () => {
    const plan: BwrapPlan = { spec, home: "/h", scratchHome: "/s/home", scratchTmp: "/s/tmp", system: [], masks: [], networkFiles: [], protect };
    const argv = bwrapArgv(plan, { command: "node", args: [] }).join(" ");
    expect(argv).toContain("--bind /w /w --bind /w/.git /w/.git --ro-bind /w/.git/hooks /w/.git/hooks");
  });

  it("docker: the same mounts in bind mode; none over a copy's volume", () => {
    expect(containerMounts(spec, undefined, protect)).toEqual([
      { Type: "bind", Source: "/w", Target: "/w", ReadOnly: false },
      { Type: "bind", Source: "/w/.git", Target: "/w/.git", ReadOnly: false },
      { Type: "bind", Source: "/w/.git/hooks", Target: "/w/.git/hooks", ReadOnly: true },
    ]);
    const volume = { Type: "volume" as const, Source: "copy", Target: "/w", ReadOnly: false };
    expect(containerMounts(spec, volume, protect)).toEqual([volume]);
  });

  it("mount points: recorded, created, removed only while still empty; never created through a link", () => {
    const root = workspace({ ...gitDir(".git"), ...gitDir("lib/.git"), "outside/": null });
    rmSync(path.join(root, "lib/.git"), { recursive: true });
    symlinkSync(path.join(root, "outside"), path.join(root, "lib/.git"));
    const state = path.join(root, "state");
    const made = createMountPoints(root, [{ rel: ".git/hooks", kind: "dir" }, { rel: ".git/info", kind: "dir" }, { rel: "lib/.git/hooks", kind: "dir" }, { rel: "shared.gitconfig", kind: "file" }], state);
    expect(made.paths).toEqual([path.join(root, ".git/hooks"), path.join(root, ".git/info"), path.join(root, "shared.gitconfig")]);
    expect(made.failed.map((f) => f.point.rel)).toEqual(["lib/.git/hooks"]);
    expect(existsSync(path.join(root, "outside/hooks"))).toBe(false);
    expect(readdirSync(path.join(state, "mount-points"))).toHaveLength(1);
    writeFileSync(path.join(root, ".git/info/exclude"), "mine\n");
    expect(made.remove()).toEqual([path.join(root, ".git/info")]);
    expect(lstatSync(path.join(root, ".git/info")).isDirectory()).toBe(true);
    expect(existsSync(path.join(root, ".git/hooks"))).toBe(false);
    expect(existsSync(path.join(root, "shared.gitconfig"))).toBe(false);
    expect(readdirSync(path.join(state, "mount-points"))).toEqual([]);
  });
});
