// Excludes, protected paths, conflict names and link containment: the rules sync decides with.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { conflictName, linkStaysInside, sameEntry } from "../../src/sync/entries.js";
import { Excludes } from "../../src/sync/excludes.js";
import { planToHost, planToRuntime, runtimeChanges } from "../../src/sync/plan.js";
import { protectedBy } from "../../src/sync/protected.js";
import type { Baseline, Manifest, ManifestEntry } from "../../src/sync/types.js";
import { build, tempDir } from "./tree.js";

let ws: ReturnType<typeof tempDir>;
beforeEach(() => (ws = tempDir("acp-sync-rules-")));
afterEach(() => ws.cleanup());

describe("excludes", () => {
  it("applies the built-in defaults at any depth", () => {
    const ex = new Excludes(ws.dir);
    for (const dir of ["node_modules", "dist", "build", "target", ".cache", "pkg/node_modules", "a/b/__pycache__"]) expect(ex.excluded(dir, true)).toBe(true);
    expect(ex.excluded("node_modules/x/index.js", false)).toBe(true);
    expect(ex.excluded("src/build.ts", false)).toBe(false);
    expect(ex.excluded(".git", true)).toBe(false);
    expect(ex.excluded(".git/config", false)).toBe(false);
    expect(ex.excluded("x/.app.ts.acp-sandbox-tmp-0a1b2c", false)).toBe(true);
  });

  it("follows .gitignore files, nested ones relative to their own directory", () => {
    build(ws.dir, { ".gitignore": "*.log\n/only-root.txt\n", "pkg/.gitignore": "secret.json\n/local/\n" });
    const ex = new Excludes(ws.dir);
    expect(ex.excluded("a.log", false)).toBe(true);
    expect(ex.excluded("deep/b.log", false)).toBe(true);
    expect(ex.excluded("only-root.txt", false)).toBe(true);
    expect(ex.excluded("sub/only-root.txt", false)).toBe(false);
    expect(ex.excluded("pkg/secret.json", false)).toBe(true);
    expect(ex.excluded("pkg/x/secret.json", false)).toBe(true);
    expect(ex.excluded("secret.json", false)).toBe(false);
    expect(ex.excluded("pkg/local", true)).toBe(true);
    expect(ex.excluded("pkg/x/local", true)).toBe(false);
  });

  it("adds configured patterns, which may bring a default back", () => {
    const ex = new Excludes(ws.dir, ["*.tmp", "!build/"]);
    expect(ex.excluded("x.tmp", false)).toBe(true);
    expect(ex.excluded("build", true)).toBe(false);
    expect(ex.prunedNames()).not.toContain("build");
    expect(ex.prunedNames()).toContain("node_modules");
  });
});

describe("protected paths", () => {
  it("names the rule for each path that may run code on the host", () => {
    expect(protectedBy(".git/hooks/pre-commit")).toBe("**/.git/hooks/**");
    expect(protectedBy(".git/config")).toBe("**/.git/config");
    expect(protectedBy("vendor/lib/.git/config")).toBe("**/.git/config");
    expect(protectedBy(".vscode/settings.json")).toBe("**/.vscode/**");
    expect(protectedBy(".idea/workspace.xml")).toBe("**/.idea/**");
    expect(protectedBy(".mcp.json")).toBe("**/.mcp.json");
    expect(protectedBy(".envrc")).toBe("**/.envrc");
    expect(protectedBy("home/.zshrc")).toBe("**/.zshrc");
    expect(protectedBy(".gitmodules")).toBe("**/.gitmodules");
    expect(protectedBy(".git/hooks")).toBe("**/.git/hooks/**");
    expect(protectedBy(".git/HEAD")).toBeUndefined();
    expect(protectedBy("src/config")).toBeUndefined();
  });
});

describe("names and links", () => {
  it("names conflict copies beside the file, keeping the extension", () => {
    expect(conflictName("src/app.ts")).toBe("src/app.acp-sandbox-conflict.ts");
    expect(conflictName("Makefile")).toBe("Makefile.acp-sandbox-conflict");
    expect(conflictName(".env")).toBe(".env.acp-sandbox-conflict");
    expect(conflictName("a/b.tar.gz", 3)).toBe("a/b.tar.acp-sandbox-conflict-3.gz");
  });

  it("judges a link's target on its path", () => {
    expect(linkStaysInside("/w", "a/b", "../c")).toBe(true);
    expect(linkStaysInside("/w", "a/b", "../../c")).toBe(false);
    expect(linkStaysInside("/w", "b", "/w/x")).toBe(true);
    expect(linkStaysInside("/w", "b", "/wx")).toBe(false);
    expect(linkStaysInside("/w", "b", "/etc/passwd")).toBe(false);
  });
});

const file = (hash: string, mode = 0o644): ManifestEntry => ({ type: "file", mode, size: 1, mtimeMs: 0, hash });
const m = (entries: Record<string, ManifestEntry>): Manifest => new Map(Object.entries(entries));

describe("three-way plans", () => {
  it("host → runtime: sends host changes, deletes host deletions, holds what both changed", () => {
    const baseline: Baseline = m({ same: file("1"), changed: file("1"), gone: file("1"), both: file("1"), "mode": file("1") });
    const host = m({ same: file("1"), changed: file("2"), both: file("2"), added: file("9"), "mode": file("1", 0o755) });
    const runtime = m({ same: file("1"), changed: file("1"), gone: file("1"), both: file("3"), "mode": file("1") });
    const plan = planToRuntime(baseline, host, runtime);
    expect(plan.put.map((p) => p.rel).sort()).toEqual(["added", "changed", "mode"]);
    expect(plan.remove).toEqual(["gone"]);
    expect(plan.held.map((h) => h.path)).toEqual(["both"]);
  });

  it("runtime → host: applies where the host kept the baseline, conflicts where it did not, skips protected paths", () => {
    const baseline: Baseline = m({ a: file("1"), b: file("1"), c: file("1"), ".git/config": file("1") });
    const runtime = m({ a: file("2"), b: file("2"), c: file("5"), ".git/config": file("2"), n: file("7") });
    const changed = runtimeChanges(baseline, runtime);
    expect(changed).toEqual(["a", "b", "c", "n", ".git/config"]);
    const hostNow = new Map(Object.entries({ a: file("1"), b: file("3"), c: file("5"), ".git/config": file("1"), n: undefined }));
    const steps = planToHost(baseline, runtime, changed, hostNow, protectedBy);
    expect(steps.map((s) => (s.kind === "skip" ? `skip ${s.skip.path}` : `${s.kind} ${s.rel}`))).toEqual(["write a", "conflict b", "settled c", "write n", "skip .git/config"]);
  });

  it("compares permission bits, link targets and hashes; not mtimes", () => {
    const later: ManifestEntry = { ...file("1"), mtimeMs: 99 };
    expect(sameEntry(file("1"), later)).toBe(true);
    expect(sameEntry(file("1"), file("1", 0o755))).toBe(false);
    const link = (mode: number, target: string): ManifestEntry => ({ type: "symlink", mode, size: 0, mtimeMs: 0, target });
    expect(sameEntry(link(0o777, "a"), link(0o755, "a"))).toBe(true);
    expect(sameEntry(link(0o777, "a"), link(0o777, "b"))).toBe(false);
    expect(sameEntry(undefined, undefined)).toBe(true);
    expect(sameEntry(file("1"), undefined)).toBe(false);
  });
});
