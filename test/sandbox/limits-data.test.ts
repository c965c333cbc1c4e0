// Limits as data: --tmp-size and runsc's pids default, the cgroup join wrapper, cgroup discovery, and what a death is called.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { describeExit } from "../../acp/agent-exit.js";
import { sandboxSection } from "../../src/sandbox/config-schema.js";
import { containerOptions, type ContainerPlan } from "../../src/sandbox/docker/container-options.js";
import { deathReason } from "../../src/sandbox/docker/death.js";
import { cgroupMounts, ownCgroups, v2Parent } from "../../src/sandbox/limits/cgroup-support.js";
import { createSandboxCgroup } from "../../src/sandbox/limits/cgroup.js";
import { joinCgroup } from "../../src/sandbox/limits/wrapper.js";
import { parseLimits, RUNSC_DEFAULT_PIDS } from "../../src/sandbox/options.js";
import type { SandboxSpec } from "../../src/sandbox/types.js";

describe("limits from flags and the config file", () => {
  it("--tmp-size and tmpSize size /tmp; runsc gets a pids default that counts gVisor's threads", () => {
    expect(parseLimits({}, undefined)).toEqual({ pids: 1024, memoryBytes: 4 * 1024 ** 3, tmpBytes: 1024 ** 3 });
    expect(parseLimits({ "tmp-size": "16m" }, undefined).tmpBytes).toBe(16 * 1024 ** 2);
    expect(parseLimits({}, sandboxSection.parse({ limits: { tmpSize: "256m" } })).tmpBytes).toBe(256 * 1024 ** 2);
    expect(parseLimits({ "docker-runtime": "runsc" }, undefined).pids).toBe(RUNSC_DEFAULT_PIDS);
    expect(parseLimits({}, sandboxSection.parse({ docker: { runtime: "runsc" } })).pids).toBe(RUNSC_DEFAULT_PIDS);
    expect(parseLimits({ "docker-runtime": "runsc", pids: "300" }, undefined).pids).toBe(300);
    expect(() => parseLimits({ "tmp-size": "lots" }, undefined)).toThrow("Expected --tmp-size to be a size like 512m or 2g, got `lots`");
    expect(() => parseLimits({ "tmp-size": "100k" }, undefined)).toThrow("Expected --tmp-size to be at least 1m, got `100k`");
    expect(sandboxSection.safeParse({ limits: { tmpSize: "big" } }).success).toBe(false);
  });

  it("docker's /tmp tmpfs takes the --tmp-size", () => {
    const spec: SandboxSpec = { workspace: "/w", runtimeRoot: "/w", extraDirectories: [], env: {}, network: "none", limits: { tmpBytes: 16 * 1024 ** 2 }, label: "w" };
    const plan: ContainerPlan = { spec, image: "i", runtime: undefined, persist: "transient", session: "s", owner: "o", uid: 1, gid: 1, home: "/h" };
    expect(containerOptions(plan).HostConfig?.Tmpfs?.["/tmp"]).toBe(`rw,nosuid,nodev,size=${16 * 1024 ** 2},mode=1777`);
  });
});

describe("joining the sandbox's cgroup before bwrap starts", () => {
  it("writes the shell's own pid (the pid bwrap will have) into each cgroup.procs, then execs the command", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "acp-sandbox-join-"));
    try {
      const files = [path.join(dir, "a"), path.join(dir, "b")];
      const run = joinCgroup(files, "sh", ["-c", 'echo "$$ $0 $1"', "x y", "z"]);
      const out = spawnSync(run.command, run.args, { encoding: "utf8" });
      const [pid, ...rest] = out.stdout.trim().split(" ");
      expect(rest.join(" ")).toBe("x y z");
      for (const file of files) expect(readFileSync(file, "utf8").trim()).toBe(pid);
      expect(joinCgroup([], "bwrap", ["--x"])).toEqual({ command: "bwrap", args: ["--x"] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses to run the command when it cannot join", () => {
    const run = joinCgroup(["/nonexistent/cgroup.procs"], "sh", ["-c", "echo ran"]);
    const out = spawnSync(run.command, run.args, { encoding: "utf8" });
    expect(out.status).toBe(125);
    expect(out.stdout).toBe("");
    expect(out.stderr).toContain("acp-sandbox: cannot join the sandbox cgroup (/nonexistent/cgroup.procs)");
  });
});

describe("finding the cgroups", () => {
  it("reads v1 hierarchies, the v2 mount and the process's own cgroups", () => {
    const mountinfo = [
      "30 25 0:26 / /sys/fs/cgroup/pids rw,nosuid - cgroup cgroup rw,pids",
      "31 25 0:27 / /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory",
      "32 25 0:28 / /sys/fs/cgroup/unified rw,nosuid - cgroup2 cgroup2 rw",
      "40 1 8:1 / / rw - ext4 /dev/sda1 rw",
    ].join("\n");
    expect(cgroupMounts(mountinfo)).toEqual([
      { point: "/sys/fs/cgroup/pids", type: "cgroup", options: ["rw", "pids"] },
      { point: "/sys/fs/cgroup/memory", type: "cgroup", options: ["rw", "memory"] },
      { point: "/sys/fs/cgroup/unified", type: "cgroup2", options: ["rw"] },
    ]);
    const own = ownCgroups("9:name=systemd:/\n8:pids:/\n4:memory:/job/1\n3:cpu,cpuacct:/\n0::/user.slice/a.scope\n");
    expect([own.get("pids"), own.get("memory"), own.get("cpuacct"), own.get("")]).toEqual(["/", "/job/1", "/", "/user.slice/a.scope"]);
  });
});

describe("what a death is called", () => {
  const limits = { pids: 300, memoryBytes: 256 * 1024 ** 2 };
  it("names the limit: memory first, then pids (gVisor's threads included), else the exit code", () => {
    expect(deathReason({ oomKilled: true, exitCode: 137 }, { oom: false, pidsMax: 0, pidsPeak: 0 }, limits, undefined)).toBe("out of memory (limit 256 MiB)");
    expect(deathReason({ oomKilled: false, exitCode: 137 }, { oom: true, pidsMax: 0, pidsPeak: 0 }, limits, "runsc")).toBe("out of memory (limit 256 MiB)");
    expect(deathReason({ oomKilled: false, exitCode: 2 }, { oom: false, pidsMax: 0, pidsPeak: 293 }, limits, "runsc")).toBe(
      "pids limit 300 reached; gVisor counts its own threads, 293 were in use",
    );
    expect(deathReason({ oomKilled: false, exitCode: 2 }, { oom: false, pidsMax: 0, pidsPeak: 60 }, limits, "runsc")).toBe("the gVisor sandbox stopped (exit code 2)");
    expect(deathReason({ oomKilled: false, exitCode: 2 }, { oom: false, pidsMax: 0, pidsPeak: 160 }, limits, "runsc")).toMatch(/^pids limit 300 reached/);
    expect(deathReason({ oomKilled: false, exitCode: 1 }, { oom: false, pidsMax: 0, pidsPeak: 160 }, limits, "runsc")).toBe("the gVisor sandbox stopped (exit code 1)");
    expect(deathReason({ oomKilled: false, exitCode: 0 }, { oom: false, pidsMax: 0, pidsPeak: 3 }, limits, undefined)).toBe("the container stopped (exit code 0)");
  });

  it("leads the agent's exit with what the sandbox said", () => {
    const status = { exitCode: null, signal: "SIGKILL" };
    expect(describeExit("node", status, [], { reason: "out of memory (limit 4 GiB)", killed: true })).toBe(
      "the sandbox was killed: out of memory (limit 4 GiB); the agent (node) was killed by SIGKILL with it; it wrote nothing to stderr",
    );
    expect(describeExit("node", { exitCode: 1, signal: null }, ["boom"], { reason: "pids limit 64 reached", killed: false })).toBe(
      "the agent (node) exited with code 1 after the sandbox's pids limit 64 reached; its last stderr lines: boom",
    );
    expect(describeExit("node", { exitCode: 3, signal: null }, [])).toBe("the agent (node) exited with code 3; it wrote nothing to stderr");
  });
});


describe("cgroup v2 (a tree of plain directories standing in for a delegated hierarchy)", () => {
  /** `rel` → controllers its children may have; every cgroup gets a cgroup.procs. */
  function tree(cgroups: Record<string, string>): string {
    const root = mkdtempSync(path.join(os.tmpdir(), "acp-sandbox-cgv2-"));
    for (const [rel, controllers] of Object.entries(cgroups)) {
      mkdirSync(path.join(root, rel), { recursive: true });
      writeFileSync(path.join(root, rel, "cgroup.controllers"), controllers);
      writeFileSync(path.join(root, rel, "cgroup.procs"), "");
    }
    return root;
  }

  it("puts sandboxes beside the bridge's own cgroup, in the nearest parent that hands down pids and memory", () => {
    const root = tree({ "/": "cpu memory pids", "user.slice": "cpu memory pids", "user.slice/app.slice": "memory pids", "user.slice/app.slice/term.scope": "" });
    try {
      expect(v2Parent({ point: root }, "/user.slice/app.slice/term.scope")).toBe(path.join(root, "user.slice/app.slice"));
      expect(readFileSync(path.join(root, "user.slice/app.slice/cgroup.subtree_control"), "utf8")).toBe("+pids +memory");
      writeFileSync(path.join(root, "user.slice/app.slice/cgroup.controllers"), "cpu");
      expect(v2Parent({ point: root }, "/user.slice/app.slice/term.scope")).toBe(path.join(root, "user.slice"));
      // The root cgroup may hold processes and hand controllers down: a bridge there uses it.
      expect(v2Parent({ point: root }, "/")).toBe(root);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("writes pids.max, memory.max and no swap, and reads oom_kill and max from the events files", () => {
    const root = tree({ "/": "memory pids" });
    try {
      const cgroup = createSandboxCgroup({ kind: "v2", parent: root }, { pids: 64, memoryBytes: 256 * 1024 ** 2 });
      const dir = path.dirname(cgroup.procsFiles[0]!);
      expect(path.dirname(dir)).toBe(root);
      expect(path.basename(dir)).toMatch(new RegExp(`^acp-sandbox-${process.pid}-[0-9a-f]{8}$`));
      expect(readFileSync(path.join(dir, "pids.max"), "utf8")).toBe("64");
      expect(readFileSync(path.join(dir, "memory.max"), "utf8")).toBe(String(256 * 1024 ** 2));
      expect(cgroup.events()).toEqual({ oomKills: 0, pidsMax: 0 });
      writeFileSync(path.join(dir, "memory.events"), "low 0\nhigh 0\nmax 9\noom 2\noom_kill 1\n");
      writeFileSync(path.join(dir, "pids.events"), "max 5\n");
      expect(cgroup.events()).toEqual({ oomKills: 1, pidsMax: 5 });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
