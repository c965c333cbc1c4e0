// Figure 5: copy-mode sync (the workspace into a container's copy, then a no-change sync back) against tar pipes.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type Docker from "dockerode";
import type { BenchCase, BenchContext } from "../context.js";
import { interleave } from "../context.js";
import { describeFailure } from "../peer.js";
import { timeCommand, timePipeline } from "../raw.js";
import { notAvailable, type Row } from "../result.js";
import { median } from "../stats.js";
import { describeTree, FULL_TREE, QUICK_TREE, writeTree } from "./sync-tree.js";

const COPY_ROOT = "/bench-copy";

function figures(tree: string) {
  return [
    {
      case: "sync",
      figure: `initial sync into the container, ${tree}`,
      unit: "ms",
      baselineLabel: "tar | docker exec tar -x",
      comparison: "ratio",
      target: { bound: "max", value: 1.2, text: "≤ 1.2× the tar pipe" },
    },
    { case: "sync", figure: `no-change sync back, ${tree}`, unit: "ms", baselineLabel: "docker exec tar -c | tar -x", comparison: "ratio" },
  ] as const;
}

/** A container from the locally built node image, idling, with an anonymous volume for the copies. */
async function startContainer(docker: Docker): Promise<Docker.Container> {
  const { ensureLocalNodeImage } = await import("../../src/sandbox/docker/local-image.js");
  const { KEEPALIVE } = await import("../../src/sandbox/docker/container-options.js");
  const { copyMount } = await import("../../src/sync/docker/copy-root.js");
  const image = await ensureLocalNodeImage({ docker });
  const container = await docker.createContainer({
    Image: image,
    Entrypoint: KEEPALIVE,
    Cmd: [],
    User: "0:0",
    Labels: { "acp-sandbox.bench": "sync" },
    HostConfig: { Mounts: [copyMount(COPY_ROOT)], NetworkMode: "none", AutoRemove: false },
  });
  await container.start();
  return container;
}

export const sync: BenchCase = {
  id: "sync",
  title: "copy-mode sync",
  async run(context: BenchContext): Promise<Row[]> {
    const tree = context.quick ? QUICK_TREE : FULL_TREE;
    const rows = figures(describeTree(tree));
    let docker: Docker;
    try {
      const { dockerClient } = await import("../../src/sandbox/docker/client.js");
      docker = dockerClient();
      await docker.ping();
    } catch (error) {
      return rows.map((row) => notAvailable(row, `no Docker daemon answers: ${describeFailure(error)}`));
    }
    const scratch = mkdtempSync(path.join(os.tmpdir(), "acp-sandbox-bench-sync-"));
    const workspace = path.join(scratch, "workspace");
    const stateDir = path.join(scratch, "state");
    let container: Docker.Container | undefined;
    try {
      mkdirSync(workspace);
      context.progress(`sync: writing ${describeTree(tree)}`);
      writeTree(workspace, tree);
      container = await startContainer(docker);
      const { WorkspaceSync } = await import("../../src/sync/engine.js");
      const { DockerSyncRuntime } = await import("../../src/sync/docker/runtime.js");
      const { BaselineStore } = await import("../../src/sync/baseline.js");
      const id = container.id;
      const quiet = { info: () => {}, warn: (m: string) => context.progress(`sync: ${m}`), debug: () => {} };
      const exec = (...argv: string[]) => timeCommand(["docker", "exec", id, ...argv]);
      const runs = Math.min(context.runs, context.quick ? 2 : 3);
      context.progress(`sync: ${runs} runs each side`);
      const back: { baseline: number[]; bridge: number[] } = { baseline: [], bridge: [] };
      /** CPU the sync used in this process (scan, hashing, packing; not the daemon's extraction), ms per run. */
      const intoCpu: number[] = [];
      const into = await interleave(
        runs,
        async (run) => {
          const target = `${COPY_ROOT}/tar-${run}`;
          await exec("mkdir", "-p", target);
          const ms = await timePipeline(["tar", "-C", workspace, "-cf", "-", "."], ["docker", "exec", "-i", id, "tar", "-x", "-C", target]);
          const hostCopy = path.join(scratch, `back-${run}`);
          mkdirSync(hostCopy);
          back.baseline.push(await timePipeline(["docker", "exec", id, "tar", "-c", "-C", target, "."], ["tar", "-x", "-C", hostCopy]));
          rmSync(hostCopy, { recursive: true, force: true });
          await exec("rm", "-rf", target);
          return ms;
        },
        async (run) => {
          const root = `${COPY_ROOT}/sync-${run}`;
          await exec("mkdir", "-p", root);
          const runtime = new DockerSyncRuntime({ container: container!, root, user: "0:0" });
          const store = new BaselineStore(stateDir, workspace, `${id}/run-${run}`);
          const engine = new WorkspaceSync({ workspace, runtime, store, log: quiet, owner: { uid: 0, gid: 0 } });
          let start = performance.now();
          const cpu = process.cpuUsage();
          const report = await engine.toRuntime();
          const ms = performance.now() - start;
          const used = process.cpuUsage(cpu);
          intoCpu.push((used.user + used.system) / 1000);
          if (report.files < tree.files) throw new Error(`the initial sync moved ${report.files} entries, expected at least ${tree.files}`);
          start = performance.now();
          const none = await engine.toHost();
          back.bridge.push(performance.now() - start);
          if (none.files !== 0 || none.deletions !== 0) throw new Error(`the no-change sync back moved ${none.files} entries and deleted ${none.deletions}`);
          await exec("rm", "-rf", root);
          return ms;
        },
      );
      return [
        { ...rows[0], baseline: median(into.baseline), bridge: median(into.bridge), samples: into, note: `WorkspaceSync with the Docker runtime, driven directly; ${runs} runs; the sync's own CPU on the host ${median(intoCpu).toFixed(0)} ms a run (median)` },
        { ...rows[1], baseline: median(back.baseline), bridge: median(back.bridge), samples: back, note: "the baseline copies everything back; the sync compares and moves nothing" },
      ];
    } catch (error) {
      return rows.map((row) => notAvailable(row, describeFailure(error)));
    } finally {
      await container?.remove({ force: true, v: true }).catch(() => {});
      rmSync(scratch, { recursive: true, force: true });
    }
  },
};
