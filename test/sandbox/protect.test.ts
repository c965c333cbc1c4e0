// Protected paths hold against the agent's own process and its terminals, on every isolating backend: each attack class, truth read from the host.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dockerClient } from "../../src/sandbox/docker/client.js";
import { removeContainer, listSandboxContainers } from "../../src/sandbox/docker/housekeeping.js";
import { ensureLocalNodeImage } from "../../src/sandbox/docker/local-image.js";
import { execFileSync } from "node:child_process";
import type { BridgeProcess } from "../support/bridge.js";
import { describeBackend } from "../support/ci.js";
import { attackResults, CLASSES, emptyDirs, filesUnder, hostGitConfig, hostileSession, kind, prepareRepos, pwned, quarantineNotes, type Repos } from "./protect-support.js";
import { backends, stage, type Stage } from "./support.js";

const TIMEOUT = 240_000;
/** Directories the attacks make that stay empty once their protected contents are quarantined. */
const AGENT_EMPTY_DIRS = ["bare.git/objects", "bare.git/refs/heads", "evil-common/objects", "evil-common/refs/heads", "evil-git/objects", "evil-git/refs/heads", "evil-gitdir/objects", "evil-gitdir/refs/heads", "nested", "sub"];

for (const backend of (await backends()).filter((b) => b.isolated)) {
  describeBackend(`protected paths: ${backend.name}`, backend.unavailable, () => {
    let s: Stage;
    let repos: Repos;
    let bridge: BridgeProcess;
    let results: Array<Record<string, string[]>>;
    let quarantine: string;

    // One session tries every attack twice: from the agent's own process, then from a terminal it asks for.
    beforeAll(async () => {
      if (backend.docker) await ensureLocalNodeImage();
      s = stage();
      repos = prepareRepos(s.workspace);
      quarantine = path.join(s.env["XDG_STATE_HOME"]!, "acp-sandbox", "quarantine");
      try {
        bridge = await hostileSession(backend.flags, s.workspace, s.env, [
          { attacks: CLASSES, via: "self" },
          { attacks: CLASSES, via: "terminal" },
        ]);
      } finally {
        if (backend.docker) for (const c of await listSandboxContainers(dockerClient(), { "acp-sandbox.workspace": s.workspace })) await removeContainer(dockerClient(), c.id);
      }
      results = attackResults(bridge.messages);
    }, TIMEOUT);
    afterAll(() => s?.cleanup());

    /** Each try of `name`, from the agent's process and from the terminal. */
    const tries = (name: string) => results.map((r) => r[name]);
    const ws = (...p: string[]) => path.join(s.workspace, ...p);

    it("ran both rounds and no planted command ran", () => {
      expect(results).toHaveLength(2);
      expect(pwned(s.workspace)).toEqual([]);
      expect(bridge.strayStdout).toEqual([]);
    });

    it("hook: .git/hooks is read-only (a new hook and chmod +x of a sample both fail)", () => {
      for (const t of tries("hook")) expect(t).toEqual(["EROFS", "EROFS"]);
      expect(existsSync(ws(".git/hooks/pre-commit"))).toBe(false);
      expect(statSync(ws(".git/hooks/pre-commit.sample")).mode & 0o777).not.toBe(0o777);
    });

    it("fsmonitor: .git/config cannot be appended to or rewritten; git on the host sees no core.fsmonitor", () => {
      for (const t of tries("fsmonitor")) expect(t).toEqual(["EROFS", "EROFS"]);
      expect(hostGitConfig(s.workspace, "core.fsmonitor")).toEqual([]);
      expect(readFileSync(ws(".git/config"), "utf8")).toBe(repos.config);
    });

    it("hookspath: core.hooksPath cannot be set (config read-only; a config.worktree is quarantined)", () => {
      for (const t of tries("hookspath")) expect(t.slice(2, 3)).toEqual(["EROFS"]);
      expect(hostGitConfig(s.workspace, "core.hooksPath")).toEqual([]);
      expect(existsSync(ws(".git/config.worktree"))).toBe(false);
    });

    it("swap-hooks: .git/hooks can be neither renamed, removed nor replaced by a link", () => {
      for (const t of tries("swap-hooks")) {
        expect(t[0]).toBe("EBUSY");
        expect(["EROFS", "EBUSY"]).toContain(t[1]);
        expect(["EEXIST", "EROFS"]).toContain(t[4]);
      }
      expect(kind(ws(".git/hooks"))).toBe("dir");
      expect(readdirSync(ws(".git/hooks")).sort()).toEqual(repos.hooks);
      expect(existsSync(ws(".git/hooks-old"))).toBe(false);
    });

    it("swap-git: .git can be neither renamed, removed nor replaced", () => {
      for (const t of tries("swap-git")) {
        expect(t[0]).toBe("EBUSY");
        expect(t[3]).toBe("EEXIST");
      }
      expect(kind(ws(".git"))).toBe("dir");
      expect(readFileSync(ws(".git/HEAD"), "utf8")).toBe(repos.head);
      expect(existsSync(ws(".git-old"))).toBe(false);
      expect(hostGitConfig(s.workspace, "core.fsmonitor")).toEqual([]);
    });

    it("create-hooks: a missing .git/hooks cannot be created, and its mount point is gone afterwards", () => {
      for (const t of tries("create-hooks")) expect(t).toEqual(["EEXIST", "EROFS"]);
      expect(kind(ws("lib/.git/hooks"))).toBeUndefined();
      expect(readdirSync(path.join(s.env["XDG_STATE_HOME"]!, "acp-sandbox", "mount-points"))).toEqual([]);
    });

    it("commondir: a .git/commondir written inside is quarantined at the turn's end", () => {
      expect(existsSync(ws(".git/commondir"))).toBe(false);
      expect(hostGitConfig(s.workspace, "core.fsmonitor")).toEqual([]);
      expect(filesUnder(quarantine).filter((f) => f.endsWith(".git/commondir")).length).toBeGreaterThanOrEqual(1);
    });

    it("gitfile: a .git file with gitdir: is quarantined", () => {
      expect(existsSync(ws("sub/.git"))).toBe(false);
      expect(hostGitConfig(ws("sub"), "core.fsmonitor")).toEqual([]);
      expect(filesUnder(quarantine).filter((f) => f.endsWith("sub/.git")).length).toBeGreaterThanOrEqual(1);
    });

    it("info: .git/info is read-only", () => {
      for (const t of tries("info")) expect(t[1]).toBe("EROFS");
      expect(existsSync(ws(".git/info/attributes"))).toBe(false);
    });

    it("bare: a bare repository's config and hooks are quarantined", () => {
      expect(existsSync(ws("bare.git/config"))).toBe(false);
      expect(existsSync(ws("bare.git/hooks"))).toBe(false);
      expect(hostGitConfig(ws("bare.git"), "core.fsmonitor")).toEqual([]);
    });

    it("nested: a new nested repository is quarantined whole", () => {
      expect(existsSync(ws("nested/.git"))).toBe(false);
      expect(filesUnder(quarantine).some((f) => f.endsWith("nested/.git/config"))).toBe(true);
    });

    it("editor: .vscode/, .envrc, .mcp.json and .bashrc are quarantined, reported on stderr and to the editor", () => {
      for (const p of [".vscode", ".envrc", ".mcp.json", ".bashrc"]) expect(kind(ws(p)), p).toBeUndefined();
      expect(filesUnder(quarantine).some((f) => f.endsWith(".vscode/tasks.json"))).toBe(true);
      expect(bridge.stderr).toMatch(/quarantine: quarantined new \.vscode \(.*\); restore it with: mkdir -p .* && mv -n .*\.vscode/);
      const notes = quarantineNotes(bridge.messages).join("");
      for (const p of [".vscode", ".envrc", ".mcp.json", ".bashrc", "nested/.git", "sub/.git", ".git/commondir", "bare.git/config"]) expect(notes).toContain(` ${p} (`);
    });

    it("no mount point and no empty directory of the bridge's is left in the workspace", () => {
      // The empty directories left are the agent's own (what stays of its attacks once the quarantine took the rest).
      expect(emptyDirs(s.workspace)).toEqual(AGENT_EMPTY_DIRS);
    });

    it("the restore command the report gives puts a quarantined path back", () => {
      const line = bridge.stderr.split("\n").find((l) => l.includes("quarantined new .vscode "))!;
      execFileSync("sh", ["-c", line.slice(line.indexOf("restore it with: ") + "restore it with: ".length)]);
      expect(JSON.parse(readFileSync(ws(".vscode/tasks.json"), "utf8")).tasks[0].label).toBe("x");
    });
  });
}

describe("protected paths: the pure parts", () => {
  it("lists every attack class the suite covers", () => {
    expect(CLASSES.length).toBe(12);
  });
});
