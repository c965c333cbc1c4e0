// The sandboxed ways to start a session (bwrap, docker with runc and runsc, docker reuse) and their raw baselines.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { AGENT, bridged, type PeerCommand, ROOT } from "../commands.js";
import type { BenchContext } from "../context.js";
import { BenchError } from "../peer.js";
import type { StartVariant } from "./start.js";

/** `bwrap … true`: the namespaces and mounts of a sandbox, without the agent. */
export function bwrapTrueArgv(workspace: string): string[] {
  return ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", "--bind", workspace, workspace, "--unshare-all", "--die-with-parent", "--new-session", "true"];
}

/**
 * A user config file that shows the project (where the built fixture agent lives) read-only inside the
 * sandbox, as the end-to-end tests do; removed by the returned cleanup.
 */
function agentConfig(): { file: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "acp-sandbox-bench-config-"));
  const file = path.join(dir, "config.json");
  writeFileSync(file, JSON.stringify({ policy: { directories: [{ path: ROOT, access: "read" }] } }));
  return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const BWRAP: StartVariant = {
  label: "bwrap",
  target: { bound: "max", value: 100, text: "< +100 ms over raw" },
  prepare: async (context) => {
    const config = agentConfig();
    return {
      bridge: bridged("bwrap", context.workspace, ["--config", config.file]),
      raw: { label: "bwrap … true", argv: bwrapTrueArgv(context.workspace) },
      cleanup: async () => config.cleanup(),
    };
  },
};

const DOCKER_TARGET = { bound: "max", value: 150, text: "< +150 ms over raw" } as const;

/** The containers the bridge left for this workspace (kept ones, from `--persist reuse`), removed. */
async function removeWorkspaceContainers(workspace: string): Promise<void> {
  const { dockerClient } = await import("../../src/sandbox/docker/client.js");
  const { LABEL } = await import("../../src/sandbox/docker/labels.js");
  const docker = dockerClient();
  const found = await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`${LABEL.workspace}=${workspace}`] }) });
  await Promise.all(found.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => {})));
}

/** Docker through the bridge; the raw baseline is `docker run --rm <image> true` (`docker exec … true` when reusing). */
function dockerVariant(label: string, options: { runtime?: string; reuse?: boolean }): StartVariant {
  return {
    label,
    target: DOCKER_TARGET,
    prepare: async (context: BenchContext) => {
      const { dockerClient } = await import("../../src/sandbox/docker/client.js");
      const docker = dockerClient();
      try {
        await docker.ping();
      } catch (error) {
        return { unavailable: `no Docker daemon answers (${(error as Error).message})` };
      }
      const { ensureLocalNodeImage } = await import("../../src/sandbox/docker/local-image.js");
      const image = await ensureLocalNodeImage({ docker });
      const config = agentConfig();
      const runtime = options.runtime ? ["--docker-runtime", options.runtime] : [];
      const bridge = bridged("docker", context.workspace, ["--config", config.file, ...runtime, ...(options.reuse ? ["--persist", "reuse"] : [])]);
      const cleanup = async () => {
        config.cleanup();
        await removeWorkspaceContainers(context.workspace);
      };
      if (!options.reuse) {
        const runtimeFlag = options.runtime ? ["--runtime", options.runtime] : [];
        const raw = { label: `docker run --rm${options.runtime ? ` --runtime ${options.runtime}` : ""} <image> true`, argv: ["docker", "run", "--rm", ...runtimeFlag, image, "true"] };
        // Under gVisor the agent's own Node boots several times slower: the fair baseline is that agent, in such a
        // container, started directly (the old one, the host's agent plus `docker run … true`, is kept beside it).
        const inSandbox: PeerCommand | undefined = options.runtime
          ? {
              label: `agent in ${options.runtime}`,
              role: "direct-agent",
              command: "docker",
              args: ["run", "-i", "--rm", ...runtimeFlag, "-v", `${ROOT}:${ROOT}:ro`, "-v", `${context.workspace}:${context.workspace}`, "-w", context.workspace, image, process.execPath, AGENT],
            }
          : undefined;
        return { bridge, raw, ...(inSandbox ? { inSandbox } : {}), cleanup };
      }
      // Reuse: the first start (the warm-up) leaves the kept container running; the raw baseline execs in it.
      return {
        bridge,
        raw: {
          label: "docker exec <kept container> true",
          argv: async () => {
            const { LABEL } = await import("../../src/sandbox/docker/labels.js");
            const kept = await docker.listContainers({ filters: JSON.stringify({ label: [`${LABEL.workspace}=${context.workspace}`] }) });
            if (!kept[0]) throw new BenchError("no kept container after a start with --persist reuse");
            return ["docker", "exec", kept[0].Id, "true"];
          },
        },
        cleanup,
      };
    },
  };
}

export function sandboxVariants(): StartVariant[] {
  return [BWRAP, dockerVariant("docker (runc)", {}), dockerVariant("docker (runsc)", { runtime: "runsc" }), dockerVariant("docker reuse", { reuse: true })];
}
