// One conformance suite for every sandbox provider: sessions through the built bridge, isolation staged for real.
import { statSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { resolveSandboxSettings } from "../../src/sandbox/options.js";
import { providerFor } from "../../src/sandbox/registry.js";
import { dockerClient } from "../../src/sandbox/docker/client.js";
import { ensureLocalNodeImage } from "../../src/sandbox/docker/local-image.js";
import { listSandboxContainers, removeContainer } from "../../src/sandbox/docker/housekeeping.js";
import { BridgeProcess, SCRIPTED_AGENT } from "../support/bridge.js";
import { describeBackend } from "../support/ci.js";
import { eventually, isAlive } from "../support/processes.js";
import { backends, descendants, loopbackServer, parseProbe, PROBE, type ProbeOutcome, stage, type Stage } from "./support.js";

const AGENT = [process.execPath, SCRIPTED_AGENT];
const uid = process.getuid!();
const gid = process.getgid!();

async function containersFor(workspace: string) {
  return listSandboxContainers(dockerClient(), { "acp-sandbox.workspace": workspace });
}

for (const backend of await backends()) {
  describeBackend(`conformance: ${backend.name}`, backend.unavailable, () => {
    let s: Stage;
    let server: { port: number; close: () => Promise<void> };
    const isolated = backend.isolated;

    beforeAll(async () => {
      if (backend.docker) await ensureLocalNodeImage();
      s = stage();
      server = await loopbackServer();
    });
    afterAll(async () => {
      await server.close();
      s.cleanup();
    });
    // A failed test must not leave its bridge (or container) to the next one.
    const started: BridgeProcess[] = [];
    afterEach(async () => {
      for (const bridge of started.splice(0)) {
        if (bridge.child.exitCode === null && bridge.child.signalCode === null) {
          bridge.kill("SIGKILL");
          await bridge.waitExit();
        }
      }
      if (backend.docker) for (const c of await containersFor(s.workspace)) await removeContainer(dockerClient(), c.id);
    });

    const start = (extra: string[] = []) => {
      const bridge = BridgeProcess.start(AGENT, [...backend.flags, "--workspace", s.workspace, "--allow", "terminal", "--allow", "write", "--log-level", "debug", ...extra], { env: s.env });
      started.push(bridge);
      return bridge;
    };

    /** The isolation expectations; `local` is held to the opposite, so what it fails is visible. */
    function expectIsolation(probe: ProbeOutcome, writtenFile: string): void {
      expect(probe.uid).toBe(uid);
      expect(probe.gid).toBe(gid);
      expect(probe.token).toBeNull();
      expect(probe.wrote).toBe("ok");
      expect(statSync(writtenFile).uid).toBe(uid);
      const reads = [probe.reads[s.rootSecret], probe.reads[s.homeSecret], probe.reads[s.outsideSecret]];
      if (isolated) {
        expect(reads).toEqual(["ENOENT", "ENOENT", "ENOENT"]);
        expect(probe.net).toMatch(/^(ECONNREFUSED|ENETUNREACH|EHOSTUNREACH|EACCES|EPERM|timeout)$/);
        expect(probe.homeEntries).toEqual([]);
      } else {
        // local: no isolation, and the suite says so: every one of these reads and the connection succeed.
        expect(reads).toEqual(["read", "read", "read"]);
        expect(probe.net).toBe("connected:hello");
      }
    }

    it("completes a session; fs and terminals run inside; secrets, HOME, /root, other files and the network stay out", { timeout: 90_000 }, async () => {
      const bridge = start();
      // The editor serves neither fs nor terminals: the ToolHost does, inside the sandbox.
      const init = await bridge.initialize();
      const meta = init["result"]["_meta"]["acp-sandbox"]["sandbox"];
      expect(meta.backend).toBe(backend.provider);
      expect(meta.filesystemIsolation).toBe(isolated);
      expect(meta.network).toBe("none");
      const sessionId = await bridge.newSession(s.workspace);
      const probeArgs = [String(server.port), "${cwd}/written-by-terminal.txt", s.rootSecret, s.homeSecret, s.outsideSecret];
      const response = await bridge.prompt(
        sessionId,
        [
          { op: "info" },
          { op: "write", path: "${cwd}/written-by-fs.txt", content: "through the ToolHost\n" },
          { op: "read", path: s.rootSecret },
          { op: "read", path: s.homeSecret },
          { op: "read", path: s.outsideSecret },
          { op: "terminal", command: "node", args: ["-e", PROBE, ...probeArgs] },
        ],
        60_000,
      );
      expect(response["result"]?.["stopReason"]).toBe("end_turn");
      const [info, write, ...rest] = bridge.results();
      const reads = rest.slice(0, 3);
      const terminal = rest[3]!;
      // The agent's own environment: rebuilt, the secret absent; its uid the host user's.
      expect(info!.result.ok.env["MY_API_TOKEN"]).toBeUndefined();
      expect(JSON.stringify(info!.result.ok.env)).not.toContain(s.token);
      expect(info!.result.ok.uid).toBe(uid);
      // fs requests: the write lands in the workspace owned by the host user; reads outside are refused.
      expect(write!.result).toEqual({ ok: {} });
      expect(statSync(path.join(s.workspace, "written-by-fs.txt")).uid).toBe(uid);
      for (const read of reads) expect(read.result.error?.message).toBeTruthy();
      // The terminal ran inside the sandbox.
      expect(terminal.result.ok.exit.exitCode).toBe(0);
      expectIsolation(parseProbe(terminal.result.ok.output.output), path.join(s.workspace, "written-by-terminal.txt"));
      expect(bridge.strayStdout).toEqual([]);
      const family = descendants(bridge.child.pid!);
      expect((await bridge.close()).code).toBe(0);
      expect(await eventually(() => family.every((pid) => !isAlive(pid)), 10_000)).toBe(true);
      if (backend.docker) expect(await containersFor(s.workspace)).toEqual([]);
    });

    it("the agent process itself (provider launch) sees what its terminals see", { timeout: 60_000 }, async () => {
      const settings = resolveSandboxSettings({ values: {}, agent: AGENT, env: s.env, cwd: s.workspace, workspace: s.workspace });
      const provider = await providerFor(backend.provider, { ...settings.providerOptions, ...(backend.runtime ? { runtime: backend.runtime } : {}) });
      const sandbox = await provider.prepare(settings.spec);
      try {
        expect(sandbox.capabilities.filesystemIsolation).toBe(isolated);
        expect(sandbox.capabilities.networkEnforcement).toBe(isolated);
        const written = path.join(s.workspace, "written-by-agent.txt");
        const agent = await sandbox.launch({ command: process.execPath, args: ["-e", PROBE, String(server.port), written, s.rootSecret, s.homeSecret, s.outsideSecret] });
        let out = "";
        agent.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
        agent.stderr.resume();
        expect(await agent.exited).toEqual({ exitCode: 0, signal: null });
        expectIsolation(parseProbe(out), written);
        // A second process in the same sandbox shares its HOME and /tmp (what the agent leaves there, terminals find).
        const shell = await sandbox.exec({ command: "sh", args: ["-c", 'echo kept > "$HOME/note" && echo kept > /tmp/note && cat "$HOME/note" /tmp/note'] });
        let shellOut = "";
        shell.stdout.on("data", (chunk: Buffer) => (shellOut += chunk.toString()));
        shell.stderr.resume();
        expect((await shell.exited).exitCode).toBe(0);
        expect(shellOut).toBe("kept\nkept\n");
      } finally {
        await sandbox.destroy();
      }
      if (backend.docker) expect(await containersFor(s.workspace)).toEqual([]);
    });

    it("the agent is reaped when it crashes, and the sandbox with it", { timeout: 60_000 }, async () => {
      const bridge = start();
      await bridge.initialize();
      const sessionId = await bridge.newSession(s.workspace);
      const family = descendants(bridge.child.pid!);
      bridge.send({ jsonrpc: "2.0", id: 77, method: "session/prompt", params: { sessionId, prompt: [{ type: "text", text: JSON.stringify([{ op: "crash", code: 3 }]) }] } });
      expect((await bridge.waitExit(30_000)).code).toBe(1);
      expect(bridge.stderr).toMatch(/exited with code 3/);
      expect(await eventually(() => family.every((pid) => !isAlive(pid)), 10_000)).toBe(true);
      if (backend.docker) expect(await containersFor(s.workspace)).toEqual([]);
    });

    it(
      backend.docker
        ? "SIGKILL of the bridge leaves its container, and the next start removes it"
        : isolated
          ? "SIGKILL of the bridge leaves no process behind"
          : "SIGKILL of the bridge leaves the agent's child running (local: nothing holds it)",
      { timeout: 90_000 },
      async () => {
        const bridge = start();
        await bridge.initialize();
        const sessionId = await bridge.newSession(s.workspace);
        bridge.send({ jsonrpc: "2.0", id: 78, method: "session/prompt", params: { sessionId, prompt: [{ type: "text", text: JSON.stringify([{ op: "spawn-child", then: "stay" }, { op: "hang" }]) }] } });
        await bridge.waitFor((m) => JSON.stringify(m).includes("childPid"), 30_000);
        const family = descendants(bridge.child.pid!);
        if (!backend.docker) expect(family.length).toBeGreaterThan(0);
        bridge.kill("SIGKILL");
        await bridge.waitExit();
        if (backend.docker) {
          const left = await containersFor(s.workspace);
          expect(left.map((c) => [c.persist, c.ownerAlive])).toEqual([["transient", false]]);
          const next = start();
          await next.initialize();
          expect(await containersFor(s.workspace)).toHaveLength(1);
          expect((await containersFor(s.workspace))[0]!.id).not.toBe(left[0]!.id);
          await next.waitForStderr(/removed 1 container\(s\) left by a bridge that is gone/);
          await next.close();
          expect(await containersFor(s.workspace)).toEqual([]);
        } else if (isolated) {
          expect(await eventually(() => family.every((pid) => !isAlive(pid)), 10_000)).toBe(true);
        } else {
          const survivors = family.filter(isAlive);
          try {
            expect(survivors.length).toBeGreaterThan(0);
          } finally {
            for (const pid of survivors) process.kill(pid, "SIGKILL");
          }
        }
      },
    );
  });
}
