// Limits as data: --tmp-size and runsc's pids default, the cgroup join wrapper, cgroup discovery, and what a death is called.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { describeExit } from "../../acp/agent-exit.js";
import { sandboxSection } from "../../src/sandbox/config-schema.js";
import { containerOptions, type ContainerPlan } from "../../src/sandbox/docker/container-options.js";
import { deathReason } from "../../src/sandbox/docker/death.js";
import { cgroupMounts, ownCgroups } from "../../src/sandbox/limits/cgroup-support.js";
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

