// Protected paths in copy mode (none comes back), under local (what it cannot stop, said as such), and after a killed bridge.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { dockerClient } from "../../src/sandbox/docker/client.js";
import { listSandboxContainers, removeContainer } from "../../src/sandbox/docker/housekeeping.js";
import { ensureLocalNodeImage } from "../../src/sandbox/docker/local-image.js";
import { BRIDGE, BridgeProcess, SCRIPTED_AGENT } from "../support/bridge.js";
import { describeBackend } from "../support/ci.js";
import { attackResults, CLASSES, filesUnder, hostGitConfig, hostileSession, kind, prepareRepos, pwned, type Repos } from "./protect-support.js";
import { backends, stage, type Stage } from "./support.js";

const TIMEOUT = 240_000;
const all = await backends();
const docker = all.find((b) => b.name === "docker")!;
const bwrap = all.find((b) => b.name === "bwrap")!;

describeBackend("protected paths: docker copy mode", docker.unavailable, () => {
  let s: Stage;
  let repos: Repos;
  let bridge: BridgeProcess;
  beforeAll(async () => {
    await ensureLocalNodeImage();
    s = stage();
    repos = prepareRepos(s.workspace);
    try {
      bridge = await hostileSession(["--sandbox", "docker", "--mount", "copy"], s.workspace, s.env, [
        { attacks: CLASSES, via: "self" },
        { attacks: CLASSES, via: "terminal" },
      ]);
    } finally {
      for (const c of await listSandboxContainers(dockerClient(), { "acp-sandbox.workspace": s.workspace })) await removeContainer(dockerClient(), c.id);
    }
  }, TIMEOUT);
  afterAll(() => s?.cleanup());
  const ws = (...p: string[]) => path.join(s.workspace, ...p);

  it("the attacks work inside the copy (nothing is mounted read-only there)", () => {
    const [self] = attackResults(bridge.messages);
    expect(self!["hook"]![0]).toBe("ok");
    expect(self!["fsmonitor"]![0]).toBe("ok");
  });

  it("none of them comes back to the host: hooks, config, hooksPath, commondir, info, .git files, bare and nested repositories, editor and rc files", () => {
    expect(existsSync(ws(".git/hooks/pre-commit"))).toBe(false);
    expect(readFileSync(ws(".git/config"), "utf8")).toBe(repos.config);
    expect(hostGitConfig(s.workspace, "core.fsmonitor")).toEqual([]);
    expect(hostGitConfig(s.workspace, "core.hooksPath")).toEqual([]);
    for (const p of [".git/config.worktree", ".git/commondir", ".git/info/attributes", "sub/.git", "bare.git/config", "bare.git/hooks", "nested/.git/config", "nested/.git/hooks", "lib/.git/hooks", ".vscode", ".envrc", ".mcp.json", ".bashrc"]) {
      expect(kind(ws(p)), p).toBeUndefined();
    }
    for (const dir of [ws("sub"), ws("bare.git"), ws("nested")]) expect(hostGitConfig(dir, "core.fsmonitor")).toEqual([]);
    expect(kind(ws(".git/hooks"))).toBe("dir");
    expect(pwned(s.workspace)).toEqual([]);
    expect(bridge.stderr).toMatch(/sync runtime → host: .* skipped/);
  });
});

describeBackend("protected paths: local (no isolation: what it cannot stop)", undefined, () => {
  let s: Stage;
  let bridge: BridgeProcess;
  const LOCAL = ["hook", "fsmonitor", "commondir", "nested", "editor"];
  beforeAll(async () => {
    s = stage();
    prepareRepos(s.workspace);
    bridge = await hostileSession(["--sandbox", "local"], s.workspace, s.env, [{ attacks: LOCAL, via: "self" }]);
  }, TIMEOUT);
  afterAll(() => s?.cleanup());
  const ws = (...p: string[]) => path.join(s.workspace, ...p);

  it("local stops none of the writes: every attack lands in the workspace during the turn", () => {
    const [self] = attackResults(bridge.messages);
    for (const name of LOCAL) expect(self![name]!.every((r) => r === "ok"), name).toBe(true);
  });

  it("the quarantine undoes them at the turn's end: the hook moved out, .git/config put back as it was (the changed one kept), new paths moved", () => {
    expect(existsSync(ws(".git/hooks/pre-commit"))).toBe(false);
    expect(hostGitConfig(s.workspace, "core.fsmonitor")).toEqual([]);
    for (const p of [".git/commondir", "nested/.git", ".vscode", ".envrc", ".mcp.json", ".bashrc"]) expect(kind(ws(p)), p).toBeUndefined();
    const kept = filesUnder(path.join(s.env["XDG_STATE_HOME"]!, "acp-sandbox", "quarantine"));
    expect(kept.some((f) => f.endsWith(".git/config"))).toBe(true);
    expect(bridge.stderr).toContain("quarantined changed .git/config");
  });
});

describeBackend("protected paths: a killed bridge's mount points", bwrap.unavailable, () => {
  let s: Stage;
  beforeAll(() => {
    s = stage();
    prepareRepos(s.workspace);
  });
  afterAll(() => s?.cleanup());

  const records = () => readdirSync(path.join(s.env["XDG_STATE_HOME"]!, "acp-sandbox", "mount-points"));
  /** A bridge that got as far as its sandbox, then SIGKILLed: its mount point stays behind, recorded. */
  async function killedBridge(): Promise<number> {
    const bridge = BridgeProcess.start([process.execPath, SCRIPTED_AGENT], ["--sandbox", "bwrap", "--workspace", s.workspace], { env: s.env });
    try {
      await bridge.initialize();
      await bridge.newSession(s.workspace);
      expect(kind(path.join(s.workspace, "lib/.git/hooks"))).toBe("dir");
    } finally {
      bridge.kill("SIGKILL");
      await bridge.waitExit();
    }
    return bridge.child.pid!;
  }

  it("are removed by the next start, and by prune", { timeout: TIMEOUT }, async () => {
    const first = await killedBridge();
    expect(records()).toEqual([expect.stringMatching(new RegExp(`^${first}-`))]);
    const second = await killedBridge();
    // The second bridge removed the first one's (then made its own).
    expect(records()).toEqual([expect.stringMatching(new RegExp(`^${second}-`))]);
    expect(kind(path.join(s.workspace, "lib/.git/hooks"))).toBe("dir");
    const out = execFileSync(process.execPath, [BRIDGE, "prune", "--workspace", s.workspace], { env: s.env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    expect(out).toContain(`removed ${path.join(s.workspace, "lib/.git/hooks")} (a mount point left by a bridge that is gone)`);
    expect(kind(path.join(s.workspace, "lib/.git/hooks"))).toBeUndefined();
    expect(records()).toEqual([]);
  });
});

describeBackend("protected paths: the quarantine's watcher", bwrap.unavailable, () => {
  let s: Stage;
  beforeAll(() => {
    s = stage();
    prepareRepos(s.workspace);
  });
  afterAll(() => s?.cleanup());

  it("moves a new .envrc, .mcp.json and .git/commondir out while the turn is still running", { timeout: TIMEOUT }, async () => {
    const watched = [".envrc", ".mcp.json", ".git/commondir"];
    const bridge = await hostileSession(["--sandbox", "bwrap"], s.workspace, s.env, [{ attacks: ["editor", "commondir"], via: "self", waitGone: watched }]);
    const line = bridge.messages.map((m) => String(m["params"]?.update?.content?.text ?? "")).find((t) => t.startsWith("GONE "));
    expect(JSON.parse(line!.slice(5))).toEqual({ ".envrc": true, ".mcp.json": true, ".git/commondir": true });
  });
});
