// The sandbox from the command line: doctor, --require-isolation, launch failures with their fix, a non-root user.
import { spawnSync } from "node:child_process";
import { chownSync, cpSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { diagnoseBwrapFailure } from "../../src/sandbox/bwrap/probe.js";
import { dockerClient } from "../../src/sandbox/docker/client.js";
import { listSandboxContainers } from "../../src/sandbox/docker/housekeeping.js";
import { BRIDGE, BridgeProcess, SAMPLE_WORKSPACE, SCRIPTED_AGENT, scratchWorkspace } from "../support/bridge.js";
import { describeBackend } from "../support/ci.js";
import { backends } from "./support.js";

const all = await backends();
const bwrap = all.find((b) => b.name === "bwrap")!;
const docker = all.find((b) => b.name === "docker")!;
const AGENT = [process.execPath, SCRIPTED_AGENT];
/** No bwrap on PATH and no Docker daemon: only local is left. */
const NOTHING = { ...process.env, PATH: "/nonexistent", DOCKER_HOST: "unix:///nonexistent/docker.sock" };

const ws = scratchWorkspace("acp-sandbox-cli-");
afterAll(() => ws.cleanup());

const cli = (args: string[], env: NodeJS.ProcessEnv = process.env) => spawnSync(process.execPath, [BRIDGE, ...args], { encoding: "utf8", env, timeout: 60_000 });

async function initializeError(args: string[], agent: readonly string[] = AGENT, env: NodeJS.ProcessEnv = process.env): Promise<{ message: string; code: number | null; stderr: string }> {
  const bridge = BridgeProcess.start(agent, ["--workspace", ws.dir, ...args], { env });
  const init = await bridge.initialize();
  const exit = await bridge.waitExit(30_000);
  return { message: String(init["error"]?.message ?? JSON.stringify(init)), code: exit.code, stderr: bridge.stderr };
}

describe("doctor", () => {
  it("says why each backend cannot run and what to do, and exits 1 when only local is left", () => {
    const ran = cli(["doctor"], NOTHING);
    expect(ran.status).toBe(1);
    expect(ran.stdout).toContain("no  bwrap   bwrap not found\n            fix: install bubblewrap (apt install bubblewrap), or pass --sandbox docker");
    expect(ran.stdout).toMatch(/no {2}docker {2}Docker daemon not reachable at unix:\/\/\/nonexistent\/docker.sock: .*ENOENT.*\n {12}fix: start dockerd \(or Docker Desktop\), or point DOCKER_HOST at a running engine/);
    expect(ran.stdout).toContain("no  runsc   unknown: the Docker daemon does not answer");
    expect(ran.stdout).toContain("ok  local   a host process: no isolation");
    expect(ran.stdout).toContain("--sandbox auto picks local (NO ISOLATION)");
  });

  it("diagnoses bwrap failures from the user-namespace sysctls", () => {
    const said = "bwrap: setting up uid map: Permission denied";
    expect(diagnoseBwrapFailure(said, { apparmorRestrict: "1" }).detail).toBe(`user namespaces are restricted by AppArmor (kernel.apparmor_restrict_unprivileged_userns=1): ${said}`);
    expect(diagnoseBwrapFailure(said, { maxUserNamespaces: "0" }).fix).toBe("sysctl -w user.max_user_namespaces=15000, or pass --sandbox docker");
    expect(diagnoseBwrapFailure(said, { unprivilegedClone: "0" }).detail).toContain("kernel.unprivileged_userns_clone=0");
    expect(diagnoseBwrapFailure("bwrap: No permissions to create new namespace\n", {}).detail).toBe("bwrap cannot create a sandbox here: bwrap: No permissions to create new namespace");
  });
});

describe("--require-isolation", () => {
  it("refuses local, and refuses auto when nothing but local works, naming why each backend failed", async () => {
    const local = await initializeError(["--sandbox", "local", "--require-isolation"]);
    expect(local.message).toBe("--require-isolation: the local sandbox has no isolation; pass --sandbox bwrap or --sandbox docker (see acp-sandbox doctor)");
    expect(local.code).toBe(1);
    const auto = await initializeError(["--require-isolation"], AGENT, NOTHING);
    expect(auto.message).toMatch(/^--require-isolation: no isolating sandbox works here \(bwrap: bwrap not found; docker: Docker daemon not reachable at unix:\/\/\/nonexistent\/docker.sock: .*\); see acp-sandbox doctor for the fix$/);
    expect(auto.code).toBe(1);
  });

  it("without it, auto falls back to local with a loud warning", async () => {
    const bridge = BridgeProcess.start(AGENT, ["--workspace", ws.dir], { env: NOTHING });
    const init = await bridge.initialize();
    expect(init["result"]["_meta"]["acp-sandbox"]["sandbox"]["backend"]).toBe("local");
    await bridge.waitForStderr(/acp-sandbox: warning: sandbox: local — NO ISOLATION: the agent runs as a plain host process with your files, secrets and network \(bwrap: bwrap not found; docker: Docker daemon not reachable/);
    await bridge.close();
  });
});

describeBackend("bwrap from the command line", bwrap.unavailable, () => {
  it("auto picks bwrap here and says so", async () => {
    const bridge = BridgeProcess.start(AGENT, ["--workspace", ws.dir, "--require-isolation"]);
    const init = await bridge.initialize();
    expect(init["result"]["_meta"]["acp-sandbox"]["sandbox"]).toMatchObject({ backend: "bwrap", isolation: "namespaces", filesystemIsolation: true });
    await bridge.waitForStderr("acp-sandbox: sandbox: bwrap (auto: bubblewrap");
    await bridge.waitForStderr(/bwrap: network none, fresh HOME and \/tmp; mounted .* rw \(workspace\), .* ro \(the agent's script and its package\)/);
    await bridge.close();
  });

  it("fails with the fix when the agent cannot be found on the host", async () => {
    const failed = await initializeError(["--sandbox", "bwrap"], ["no-such-agent-program"]);
    expect(failed.message).toMatch(/^the agent no-such-agent-program is not found on PATH \(.*\); install it on the host, give its full path, or use --sandbox docker with an image that contains it$/);
    expect(failed.code).toBe(1);
  });

  it("refuses a workspace that contains the user's HOME", async () => {
    const home = realpathSync(mkdtempSync(path.join(os.tmpdir(), "acp-sandbox-home-")));
    try {
      const bridge = BridgeProcess.start(AGENT, ["--sandbox", "bwrap", "--workspace", home], { env: { ...process.env, HOME: home } });
      const init = await bridge.initialize();
      expect(init["error"]?.message).toBe(`the bwrap sandbox would expose your home directory: the workspace ${home} contains ${home}; run from a project directory inside it instead, or pass --sandbox local`);
      await bridge.waitExit();
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it("runs as a non-root user: the agent and its terminal have that uid, and what they write is that user's", { timeout: 60_000 }, () => {
    const nobody = 65534;
    const dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), "acp-sandbox-nobody-")));
    const home = realpathSync(mkdtempSync(path.join(os.tmpdir(), "acp-sandbox-nobody-home-")));
    try {
      cpSync(SAMPLE_WORKSPACE, dir, { recursive: true });
      for (const p of [home, dir, path.join(dir, "src"), path.join(dir, "src", "math.js"), path.join(dir, "README.md")]) chownSync(p, nobody, nobody);
      const prompt = JSON.stringify([
        { op: "write", path: "${cwd}/by-agent.txt", content: "agent\n" },
        { op: "terminal", command: "sh", args: ["-c", "id -u; echo terminal > by-terminal.txt"] },
      ]);
      const ran = spawnSync(
        "setpriv",
        ["--reuid", String(nobody), "--regid", String(nobody), "--clear-groups", "--", process.execPath, BRIDGE, "run", "--sandbox", "bwrap", "--workspace", dir, "--approve", "all", "--prompt", prompt, "--", ...AGENT],
        { encoding: "utf8", env: { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, ".config") }, timeout: 60_000 },
      );
      expect(ran.status, ran.stderr).toBe(0);
      expect(ran.stdout).toMatch(/"output":"65534\\r\\n"/);
      expect(statSync(path.join(dir, "by-agent.txt")).uid).toBe(nobody);
      expect(statSync(path.join(dir, "by-terminal.txt")).uid).toBe(nobody);
      expect(readFileSync(path.join(dir, "by-terminal.txt"), "utf8")).toBe("terminal\n");
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describeBackend("docker from the command line", docker.unavailable, () => {
  it("doctor names a runtime the daemon does not have", { timeout: 30_000 }, () => {
    const ran = cli(["doctor", "--docker-runtime", "no-such-runtime"]);
    expect(ran.stdout).toMatch(/no {2}docker {2}no-such-runtime is not registered as a Docker runtime \(the daemon has: .*runc.*\)\n {12}fix: register no-such-runtime in \/etc\/docker\/daemon.json/);
  });

  it("names the image when the agent is not in it, and leaves no container", { timeout: 60_000 }, async () => {
    const failed = await initializeError(["--sandbox", "docker"], ["no-such-agent-program"]);
    expect(failed.message).toMatch(/^no-such-agent-program not found in the container \(image acp-sandbox-node:[0-9a-f]{12}\); use an image that contains it, or install it on the host so it can be mounted$/);
    expect(failed.code).toBe(1);
    expect(await listSandboxContainers(dockerClient(), { "acp-sandbox.workspace": ws.dir })).toEqual([]);
  });

  it("says when an image cannot be had, and which to use instead", { timeout: 60_000 }, async () => {
    const failed = await initializeError(["--sandbox", "docker", "--image", "localhost:1/acp-sandbox-missing:1"]);
    expect(failed.message).toMatch(/^the image localhost:1\/acp-sandbox-missing:1 is not here and cannot be pulled: .*; pull or build it yourself \(docker pull \/ docker build\), or leave out --image to use a local image built from this machine's node$/);
    expect(failed.stderr).toContain("docker: the image localhost:1/acp-sandbox-missing:1 is not here; pulling it");
  });
});
