// The bridge chooses and probes its sandbox as soon as it is spawned; a client that connects and leaves before
// `initialize` must find nothing left behind: no container, no agent, and a clean exit.
import { spawnSync } from "node:child_process";
import { afterAll, expect, it } from "vitest";
import { dockerClient } from "../../src/sandbox/docker/client.js";
import { listSandboxContainers } from "../../src/sandbox/docker/housekeeping.js";
import { LABEL } from "../../src/sandbox/docker/labels.js";
import { BridgeProcess, SCRIPTED_AGENT, scratchWorkspace } from "../support/bridge.js";
import { describeBackend } from "../support/ci.js";
import { backends } from "./support.js";

const all = await backends();
const ws = scratchWorkspace("acp-sandbox-early-");
afterAll(() => ws.cleanup());

/** Processes running the scripted agent with this workspace anywhere in their command line. */
function agentsFor(workspace: string): string[] {
  const ps = spawnSync("ps", ["-eo", "pid,args"], { encoding: "utf8" });
  return ps.stdout.split("\n").filter((line) => line.includes(SCRIPTED_AGENT) && line.includes(workspace));
}

for (const backend of all.filter((b) => b.name !== "docker+runsc")) {
  describeBackend(`early start (${backend.name})`, backend.unavailable, () => {
    it("a client that leaves before initialize leaves nothing running, and the bridge exits 0", async () => {
      const bridge = BridgeProcess.start([process.execPath, SCRIPTED_AGENT, ws.dir], [...backend.flags, "--workspace", ws.dir, "--log-level", "info"]);
      // Long enough for the early probe to have started (it logs the choice), then the editor goes away.
      await bridge.waitForStderr(new RegExp(`sandbox: ${backend.provider}`), 30_000);
      const exit = await bridge.close(30_000);
      expect(exit.code).toBe(0);
      expect(agentsFor(ws.dir)).toEqual([]);
      if (backend.docker) {
        const left = await listSandboxContainers(dockerClient(), { [LABEL.workspace]: ws.dir });
        expect(left).toEqual([]);
      }
    }, 60_000);
  });
}
