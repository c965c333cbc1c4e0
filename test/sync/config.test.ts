// Copy mode's settings: flags over the config file over defaults, and the combinations that cannot work.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadUserConfig } from "../../src/config/file.js";
import { remoteDockerHost, resolveSyncConfig } from "../../src/sync/config.js";
import { BridgeProcess } from "../support/bridge.js";
import { tempDir } from "./tree.js";

let dir: ReturnType<typeof tempDir>;
beforeEach(() => (dir = tempDir("acp-sync-config-")));
afterEach(() => dir.cleanup());

describe("resolving copy mode", () => {
  it("defaults to auto mount (copy only on a remote engine) and sync at session end", () => {
    const config = resolveSyncConfig({}, { XDG_STATE_HOME: "/state" }, "auto", undefined);
    expect(config).toEqual({ mount: "auto", when: "session", excludes: [], stateDir: "/state/acp-sandbox", sandbox: "auto" });
  });

  it("takes flags over the config file, and adds both sides' excludes", () => {
    const config = resolveSyncConfig({ mount: "copy", sync: "turn", "sync-exclude": ["*.tmp"] }, {}, "docker", { mount: "bind", sync: "none", exclude: ["data/"] });
    expect(config.mount).toBe("copy");
    expect(config.when).toBe("turn");
    expect(config.excludes).toEqual(["data/", "*.tmp"]);
  });

  it("--mount copy picks docker when the sandbox is auto, and refuses local and bwrap", () => {
    expect(resolveSyncConfig({ mount: "copy" }, {}, "auto", undefined).sandbox).toBe("docker");
    expect(() => resolveSyncConfig({ mount: "copy" }, {}, "bwrap", undefined)).toThrow("--mount copy needs the docker sandbox (got --sandbox bwrap); pass --sandbox docker");
  });

  it("refuses --sync with a bind mount, where there is nothing to sync", () => {
    expect(() => resolveSyncConfig({ mount: "bind", sync: "turn" }, {}, "docker", undefined)).toThrow(
      "--sync turn applies to copy mode; with --mount bind the agent edits the workspace itself and nothing needs syncing",
    );
    expect(resolveSyncConfig({}, {}, "docker", { mount: "bind", sync: "turn" }).mount).toBe("bind");
  });

  it("refuses a bind mount on a remote engine, which cannot see this machine's disk", () => {
    expect(() => resolveSyncConfig({ mount: "bind" }, { DOCKER_HOST: "tcp://10.0.0.5:2375" }, "docker", undefined)).toThrow(
      "--mount bind cannot work with the remote Docker engine at tcp://10.0.0.5:2375: a bind mount reaches only that machine's disk; use --mount copy",
    );
    expect(remoteDockerHost({ DOCKER_HOST: "ssh://me@box" })).toBe("ssh://me@box");
    expect(remoteDockerHost({ DOCKER_HOST: "unix:///var/run/docker.sock" })).toBeUndefined();
    expect(remoteDockerHost({})).toBeUndefined();
  });

  it("reads the sync section of the config file, and refuses a bad one naming the key", async () => {
    const file = path.join(dir.dir, "config.json");
    writeFileSync(file, JSON.stringify({ sync: { mount: "copy", sync: "turn", exclude: ["big/"] } }));
    expect((await loadUserConfig({ config: file }, {}, dir.dir)).config?.sync).toEqual({ mount: "copy", sync: "turn", exclude: ["big/"] });
    writeFileSync(file, JSON.stringify({ sync: { sync: "always" } }));
    await expect(loadUserConfig({ config: file }, {}, dir.dir)).rejects.toThrow(/sync\.sync/);
  });
});

describe("on the command line", () => {
  it("a copy mount with the local sandbox is a usage error, before anything starts", async () => {
    const bridge = new BridgeProcess(["--mount", "copy", "--sandbox", "local", "--", "true"], { env: { ...process.env, XDG_CONFIG_HOME: dir.dir } });
    const exit = await bridge.waitExit();
    expect(exit.code).toBe(2);
    expect(bridge.stderr).toContain("acp-sandbox: --mount copy needs the docker sandbox (got --sandbox local); pass --sandbox docker");
  });

  it("a bad --sync value names the choices", async () => {
    const bridge = new BridgeProcess(["--sync", "sometimes", "--", "true"]);
    expect((await bridge.waitExit()).code).toBe(2);
    expect(bridge.stderr).toContain("Expected --sync to be one of none, session, turn, got `sometimes`");
  });
});
