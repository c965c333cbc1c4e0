// Container and exec options as data: isolation defaults, mounts, limits, labels, secrets only in execs.
import { describe, expect, it } from "vitest";
import { configHash, containerMounts, containerName, containerOptions, type ContainerPlan, execOptions } from "../../src/sandbox/docker/container-options.js";
import { EXEC_WRAPPER } from "../../src/sandbox/docker/exec-marker.js";
import type { SandboxSpec } from "../../src/sandbox/types.js";

const spec: SandboxSpec = {
  workspace: "/home/ann/projects/app",
  runtimeRoot: "/home/ann/projects/app",
  extraDirectories: [
    { hostPath: "/home/ann/.npm/_npx/abc/node_modules", runtimePath: "/home/ann/.npm/_npx/abc/node_modules", writable: false },
    { hostPath: "/data/cache", runtimePath: "/data/cache", writable: true },
  ],
  env: { HOME: "/home/ann", LANG: "C.UTF-8", ANTHROPIC_API_KEY: "sk-ant-secret-value" },
  network: "none",
  limits: { pids: 1024, memoryBytes: 2 * 1024 ** 3, cpus: 1.5 },
  label: "app",
};

const plan = (over: Partial<ContainerPlan> = {}): ContainerPlan => ({
  spec,
  image: "acp-sandbox-node:abc",
  runtime: undefined,
  persist: "transient",
  session: "0123456789abcdef",
  owner: "host/42/777",
  uid: 1000,
  gid: 1000,
  home: "/home/ann",
  ...over,
});

describe("containerOptions", () => {
  it("locks the container down: read-only root, no capabilities, no new privileges, an init, the host's uid:gid", () => {
    const o = containerOptions(plan());
    expect(o.User).toBe("1000:1000");
    expect(o.HostConfig?.ReadonlyRootfs).toBe(true);
    expect(o.HostConfig?.CapDrop).toEqual(["ALL"]);
    expect(o.HostConfig?.CapAdd).toBeUndefined();
    expect(o.HostConfig?.SecurityOpt).toEqual(["no-new-privileges"]);
    expect(o.HostConfig?.Init).toBe(true);
    expect(o.HostConfig?.Privileged).toBeUndefined();
    expect(o.HostConfig?.NetworkMode).toBe("none");
    expect(o.HostConfig?.Runtime).toBeUndefined();
  });

  it("mounts the workspace read-write at its path, extras as granted, HOME and /tmp as tmpfs", () => {
    const o = containerOptions(plan());
    expect(o.HostConfig?.Mounts).toEqual([
      { Type: "bind", Source: "/home/ann/projects/app", Target: "/home/ann/projects/app", ReadOnly: false },
      { Type: "bind", Source: "/home/ann/.npm/_npx/abc/node_modules", Target: "/home/ann/.npm/_npx/abc/node_modules", ReadOnly: true },
      { Type: "bind", Source: "/data/cache", Target: "/data/cache", ReadOnly: false },
    ]);
    expect(o.HostConfig?.Binds).toBeUndefined();
    expect(Object.keys(o.HostConfig?.Tmpfs ?? {})).toEqual(["/home/ann", "/tmp"]);
    expect(o.HostConfig?.Tmpfs?.["/home/ann"]).toMatch(/mode=0700,uid=1000,gid=1000/);
    expect(o.WorkingDir).toBe("/home/ann/projects/app");
  });

  it("applies pids, memory (without swap) and CPU limits", () => {
    const o = containerOptions(plan());
    expect(o.HostConfig?.PidsLimit).toBe(1024);
    expect(o.HostConfig?.Memory).toBe(2 * 1024 ** 3);
    expect(o.HostConfig?.MemorySwap).toBe(2 * 1024 ** 3);
    expect(o.HostConfig?.NanoCpus).toBe(1_500_000_000);
  });

  it("opens the network only when asked, and runs under gVisor when asked", () => {
    const o = containerOptions(plan({ spec: { ...spec, network: "open" }, runtime: "runsc" }));
    expect(o.HostConfig?.NetworkMode).toBe("bridge");
    expect(o.HostConfig?.Runtime).toBe("runsc");
  });

  it("labels the container with acp-sandbox, the workspace, the session, the configuration and its owner", () => {
    const o = containerOptions(plan());
    expect(o.Labels).toEqual({
      "acp-sandbox": "1",
      "acp-sandbox.workspace": "/home/ann/projects/app",
      "acp-sandbox.session": "0123456789abcdef",
      "acp-sandbox.config": configHash(plan()),
      "acp-sandbox.persist": "transient",
      "acp-sandbox.owner": "host/42/777",
    });
    expect(o.name).toBe("acp-sandbox-app-01234567");
    expect(containerName(plan({ persist: "reuse" }))).toBe(`acp-sandbox-app-kept-${configHash(plan()).slice(0, 8)}`);
  });

  it("keeps secrets out of the container's own configuration (only each exec carries them)", () => {
    const o = containerOptions(plan());
    expect(JSON.stringify(o)).not.toContain("sk-ant-secret-value");
    expect(o.Env).toEqual(["HOME=/home/ann", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]);
  });

  it("replaces the workspace's bind mount with copy mode's volume", () => {
    const volume = { Type: "volume" as const, Source: "", Target: "/home/ann/projects/app", ReadOnly: false };
    expect(containerMounts(spec, volume)[0]).toEqual(volume);
    expect(configHash(plan({ workspaceMount: volume }))).not.toBe(configHash(plan()));
  });
});

describe("configHash", () => {
  it("is the same for the same configuration and changes with mounts, network, limits, image or runtime", () => {
    const base = configHash(plan());
    expect(configHash(plan({ session: "other", owner: "elsewhere/1/2" }))).toBe(base);
    expect(configHash(plan({ spec: { ...spec, extraDirectories: [] } }))).not.toBe(base);
    expect(configHash(plan({ spec: { ...spec, network: "open" } }))).not.toBe(base);
    expect(configHash(plan({ spec: { ...spec, limits: { pids: 64 } } }))).not.toBe(base);
    expect(configHash(plan({ image: "other:1" }))).not.toBe(base);
    expect(configHash(plan({ runtime: "runsc" }))).not.toBe(base);
  });
});

describe("execOptions", () => {
  it("runs the command behind the pid-reporting wrapper, with the sandbox's env by value in the exec, never in Cmd", () => {
    const o = execOptions(plan(), { command: "claude-agent-acp", args: ["--acp"], env: { EXTRA: "1" } });
    expect(o.Cmd).toEqual([...EXEC_WRAPPER, "claude-agent-acp", "--acp"]);
    expect(o.Cmd?.join(" ")).not.toContain("sk-ant-secret-value");
    expect(o.Env).toEqual(
      expect.arrayContaining(["ANTHROPIC_API_KEY=sk-ant-secret-value", "HOME=/home/ann", "LANG=C.UTF-8", "EXTRA=1", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]),
    );
    expect(o.User).toBe("1000:1000");
    expect(o.WorkingDir).toBe("/home/ann/projects/app");
  });
});
