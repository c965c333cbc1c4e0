// Limits on every isolating backend, tried for real from the agent's own process: a fork loop, a memory hog, a /tmp filler.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { dockerClient } from "../../src/sandbox/docker/client.js";
import { listSandboxContainers, removeContainer } from "../../src/sandbox/docker/housekeeping.js";
import { ensureLocalNodeImage } from "../../src/sandbox/docker/local-image.js";
import { describeBwrapLimits } from "../../src/sandbox/limits/bwrap-limits.js";
import { cgroupSupport } from "../../src/sandbox/limits/cgroup-support.js";
import { BridgeProcess, type Message, SCRIPTED_AGENT } from "../support/bridge.js";
import { describeBackend } from "../support/ci.js";
import { eventually, isAlive } from "../support/processes.js";
import { backends, descendants, stage, type Stage } from "./support.js";

const AGENT = [process.execPath, SCRIPTED_AGENT];
const root = process.getuid?.() === 0;

/** The cgroups a bridge made (acp-sandbox-<pid>-…), wherever this machine puts them. */
function cgroupsOf(pid: number): string[] {
  const support = cgroupSupport();
  const parents = support.kind === "v2" ? [support.parent] : support.kind === "v1" ? [support.pids, support.memory] : [];
  return parents.flatMap((parent) => readdirSync(parent).filter((e) => e.startsWith(`acp-sandbox-${pid}-`)).map((e) => path.join(parent, e)));
}

for (const backend of (await backends()).filter((b) => b.isolated)) {
  const bwrapLimits = backend.provider === "bwrap" ? describeBwrapLimits() : undefined;
  const unavailable = backend.unavailable ?? (bwrapLimits && !bwrapLimits.enforced ? `${bwrapLimits.detail} (${bwrapLimits.fix})` : undefined);
  const runsc = backend.runtime === "runsc";

  describeBackend(`limits: ${backend.name}`, unavailable, () => {
    let s: Stage;
    beforeAll(async () => {
      if (backend.docker) await ensureLocalNodeImage();
      s = stage();
    });
    afterAll(() => s.cleanup());
    const started: BridgeProcess[] = [];
    afterEach(async () => {
      for (const bridge of started.splice(0)) {
        if (bridge.child.exitCode === null && bridge.child.signalCode === null) {
          bridge.kill("SIGKILL");
          await bridge.waitExit();
        }
      }
      if (backend.docker) for (const c of await listSandboxContainers(dockerClient(), { "acp-sandbox.workspace": s.workspace })) await removeContainer(dockerClient(), c.id);
    });

    /** A bridge with the given limits, initialized, with a session. */
    async function session(limits: string[]): Promise<{ bridge: BridgeProcess; sessionId: string; family: () => number[] }> {
      const bridge = BridgeProcess.start(AGENT, [...backend.flags, "--workspace", s.workspace, "--log-level", "debug", ...limits], { env: s.env });
      started.push(bridge);
      const init = await bridge.initialize();
      expect(init["result"]["_meta"]["acp-sandbox"]["sandbox"]["processLimits"]).toBe(true);
      const sessionId = await bridge.newSession(s.workspace);
      let seen: number[] = [];
      return { bridge, sessionId, family: () => (seen = [...new Set([...seen, ...descendants(bridge.child.pid!)])]) };
    }

    /** After the bridge is gone: no process of it, no container, no cgroup. */
    async function nothingLeft(bridge: BridgeProcess, family: number[]): Promise<void> {
      expect(await eventually(() => family.every((pid) => !isAlive(pid)), 10_000)).toBe(true);
      if (backend.docker) expect(await listSandboxContainers(dockerClient(), { "acp-sandbox.workspace": s.workspace })).toEqual([]);
      else expect(cgroupsOf(bridge.child.pid!)).toEqual([]);
    }

    function result(bridge: BridgeProcess, op: string): any {
      return bridge.results().find((r) => r.op === op)?.result;
    }

    it("a memory hog in the agent's own process is killed at --memory, and the pending prompt is answered with why", { timeout: 60_000 }, async () => {
      const { bridge, sessionId, family } = await session(["--memory", "256m"]);
      family();
      const response = (await bridge.prompt(sessionId, [{ op: "hog", mb: 1024 }], 45_000)) as Message;
      family();
      expect(response["error"]?.message).toMatch(/^the sandbox was killed: out of memory \(limit 256 MiB\)/);
      expect(result(bridge, "hog")).toBeUndefined();
      expect((await bridge.waitExit(20_000)).code).toBe(1);
      await nothingLeft(bridge, family());
    });

    if (runsc) {
      // gVisor's own threads count against --pids, and gVisor stops its whole sandbox when the host refuses it one.
      it("a fork loop at --pids kills the gVisor sandbox, and the pending prompt is answered with why instead of hanging", { timeout: 60_000 }, async () => {
        const { bridge, sessionId, family } = await session(["--pids", "300"]);
        family();
        const response = (await bridge.prompt(sessionId, [{ op: "fork-loop", max: 200 }], 45_000)) as Message;
        family();
        expect(response["error"]?.message).toMatch(/^the sandbox was killed: pids limit 300 reached/);
        expect((await bridge.waitExit(20_000)).code).toBe(1);
        await nothingLeft(bridge, family());
      });
    } else {
      it("a fork loop in the agent's own process is refused at --pids; the agent carries on", { timeout: 60_000 }, async () => {
        const { bridge, sessionId, family } = await session(["--pids", "64"]);
        family();
        const response = (await bridge.prompt(sessionId, [{ op: "fork-loop", max: 200 }], 45_000)) as Message;
        family();
        expect(response["result"]?.stopReason).toBe("end_turn");
        const outcome = result(bridge, "fork-loop").ok;
        expect(outcome.refused).toBe("EAGAIN");
        expect(outcome.started).toBeLessThan(64);
        // The limit is the sandbox's: the sleeps are gone once the agent killed them, and it can start processes again.
        const again = (await bridge.prompt(sessionId, [{ op: "fork-loop", max: 3 }], 20_000)) as Message;
        expect(again["result"]?.stopReason).toBe("end_turn");
        expect(bridge.results().filter((r) => r.op === "fork-loop")[1]?.result.ok).toEqual({ started: 3, refused: null });
        await bridge.close();
        await nothingLeft(bridge, family());
      });
    }

    if (backend.docker) {
      it("a container killed from outside mid-turn ends the session at once, saying so", { timeout: 60_000 }, async () => {
        const { bridge, sessionId } = await session([]);
        bridge.send({ jsonrpc: "2.0", id: 91, method: "session/prompt", params: { sessionId, prompt: [{ type: "text", text: JSON.stringify([{ op: "hang" }]) }] } });
        const [container] = await listSandboxContainers(dockerClient(), { "acp-sandbox.workspace": s.workspace });
        await dockerClient().getContainer(container!.id).kill({ signal: "SIGKILL" });
        const response = await bridge.waitFor((m) => m["id"] === 91, 30_000);
        expect(response["error"]?.message).toMatch(runsc ? /^the sandbox was killed: the gVisor sandbox stopped \(exit code \d+\)/ : /^the sandbox was killed: the container stopped \(exit code 137\)/);
        expect((await bridge.waitExit(20_000)).code).toBe(1);
        expect(await listSandboxContainers(dockerClient(), { "acp-sandbox.workspace": s.workspace })).toEqual([]);
      });
    }

    if (backend.provider === "bwrap") {
      it("a bridge killed with SIGKILL leaves its cgroup and /tmp mount; the next bridge removes them", { timeout: 60_000 }, async () => {
        const { bridge, family } = await session(["--tmp-size", "16m"]);
        const pids = family();
        const cgroups = cgroupsOf(bridge.child.pid!);
        expect(cgroups.length).toBeGreaterThan(0);
        const mounted = () => readFileSync("/proc/self/mountinfo", "utf8").includes(`acp-sandbox-bwrap-${bridge.child.pid}-`);
        expect(mounted()).toBe(root);
        bridge.kill("SIGKILL");
        await bridge.waitExit();
        expect(await eventually(() => pids.every((pid) => !isAlive(pid)), 10_000)).toBe(true);
        expect(cgroupsOf(bridge.child.pid!)).toEqual(cgroups);
        const next = await session([]);
        expect(cgroupsOf(bridge.child.pid!)).toEqual([]);
        expect(mounted()).toBe(false);
        await next.bridge.close();
        await nothingLeft(next.bridge, next.family());
      });
    }

    it.skipIf(backend.provider === "bwrap" && !root)(
      `a /tmp filler stops at --tmp-size${backend.provider === "bwrap" && !root ? " (bwrap: needs root to mount the tmpfs)" : ""}`,
      { timeout: 60_000 },
      async () => {
        const { bridge, sessionId, family } = await session(["--tmp-size", "16m"]);
        family();
        const response = (await bridge.prompt(sessionId, [{ op: "fill-tmp", mb: 64 }], 45_000)) as Message;
        expect(response["result"]?.stopReason).toBe("end_turn");
        const outcome = result(bridge, "fill-tmp").ok;
        expect(outcome.refused).toBe("ENOSPC");
        expect(outcome.writtenMb).toBeLessThanOrEqual(16);
        await bridge.close();
        await nothingLeft(bridge, family());
      },
    );
  });
}

describeBackend("limits: local", undefined, () => {
  it("says in initialize's _meta that it enforces no limits", { timeout: 30_000 }, async () => {
    const s = stage();
    const bridge = BridgeProcess.start(AGENT, ["--sandbox", "local", "--workspace", s.workspace], { env: s.env });
    try {
      const init = await bridge.initialize();
      expect(init["result"]["_meta"]["acp-sandbox"]["sandbox"]["processLimits"]).toBe(false);
      await bridge.close();
    } finally {
      if (bridge.child.exitCode === null) bridge.kill("SIGKILL");
      s.cleanup();
    }
  });
});
