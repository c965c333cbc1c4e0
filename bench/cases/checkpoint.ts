// Figure 6: a turn's checkpoint and its rollback on 10,000 files / 100 MB with 10 files changed, beside git stash.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { BenchCase, BenchContext } from "../context.js";
import { interleave } from "../context.js";
import { describeFailure } from "../peer.js";
import { timeCommand } from "../raw.js";
import { notAvailable, type Row } from "../result.js";
import { median } from "../stats.js";
import { describeTree, FULL_TREE, QUICK_TREE, writeTree } from "./sync-tree.js";

const CHANGED = 10;

function figures(tree: string) {
  return [
    {
      case: "checkpoint",
      figure: `checkpoint of a turn (before + after), ${tree}, ${CHANGED} files changed`,
      unit: "ms",
      baselineLabel: "git stash create, before and after",
      comparison: "absolute",
      target: { bound: "max", value: 300, text: "< 300 ms" },
    },
    {
      case: "checkpoint",
      figure: `rollback of that turn, ${tree}`,
      unit: "ms",
      baselineLabel: "git reset --hard + git stash apply",
      comparison: "absolute",
      target: { bound: "max", value: 300, text: "< 300 ms" },
    },
    { case: "checkpoint", figure: `store growth per turn, ${CHANGED} files changed`, unit: "KB", baselineLabel: "size of the changed files", comparison: "ratio", target: { bound: "max", value: 2, text: "≤ 2 × the changed files" } },
  ] as const;
}

/** The first CHANGED files of the tree, rewritten with fresh content of the same size: a turn's edits. */
function editTurn(root: string, perFile: number): void {
  for (let i = 0; i < CHANGED; i++) writeFileSync(path.join(root, `d${String(i).padStart(3, "0")}`, `f${i}.bin`), randomBytes(perFile));
}

function duBytes(dir: string): number {
  let total = 0;
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = path.join(d, name);
      const st = statSync(full);
      if (st.isDirectory()) walk(full);
      else total += st.size;
    }
  };
  walk(dir);
  return total;
}

const git = (cwd: string, ...args: string[]) => execFileSync("git", ["-c", "user.email=bench@acp-sandbox.invalid", "-c", "user.name=bench", "-c", "gc.auto=0", "-c", "maintenance.auto=false", ...args], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20 }).trim();

export const checkpoint: BenchCase = {
  id: "checkpoint",
  title: "checkpoints and rollback",
  async run(context: BenchContext): Promise<Row[]> {
    const tree = context.quick ? QUICK_TREE : FULL_TREE;
    const rows = figures(describeTree(tree));
    const perFile = Math.floor(tree.bytes / tree.files);
    const scratch = mkdtempSync(path.join(os.tmpdir(), "acp-sandbox-bench-checkpoint-"));
    try {
      // Two trees of the same shape: the baseline's git objects must not land in the bridge's workspace.
      const repo = path.join(scratch, "repo");
      const workspace = path.join(scratch, "workspace");
      const stateDir = path.join(scratch, "state");
      mkdirSync(repo);
      mkdirSync(workspace);
      context.progress(`checkpoint: writing ${describeTree(tree)} twice, committing one to git`);
      writeTree(repo, tree);
      writeTree(workspace, tree);
      git(repo, "init", "-q");
      git(repo, "add", "-A");
      git(repo, "commit", "-qm", "tree");
      editTurn(repo, perFile); // stash create needs something to stash
      const { Recorder } = await import("../../src/checkpoints/recorder.js");
      const { rollback } = await import("../../src/checkpoints/rollback.js");
      const recorder = new Recorder({ workspace, stateDir, excludes: [], limits: { keep: 1000, maxBytes: 64 * 1024 ** 3 } });
      context.progress("checkpoint: the first checkpoint stores the whole tree (not timed)");
      const first = await recorder.finish(await recorder.begin({ kind: "turn", session: "bench", title: "setup" }));
      const storeDir = recorder.store.dir;
      const initial = duBytes(storeDir);
      const runs = Math.max(3, Math.min(context.runs, context.quick ? 3 : 7));
      context.progress(`checkpoint: ${runs} turns each side`);
      const rollbackMs = { baseline: [] as number[], bridge: [] as number[] };
      const growth: number[] = [];
      const cpu = { checkpoint: [] as number[], rollback: [] as number[] };
      const cpuMs = (since: NodeJS.CpuUsage) => {
        const used = process.cpuUsage(since);
        return (used.user + used.system) / 1000;
      };
      const cost = await interleave(
        runs,
        async () => {
          let ms = 0;
          const start = performance.now();
          const sha = git(repo, "stash", "create");
          ms += performance.now() - start;
          editTurn(repo, perFile);
          ms += await timeCommand(["git", "-c", "gc.auto=0", "-C", repo, "stash", "create"]);
          rollbackMs.baseline.push((await timeCommand(["git", "-C", repo, "reset", "-q", "--hard"])) + (await timeCommand(["git", "-C", repo, "stash", "apply", "-q", sha])));
          return ms;
        },
        async () => {
          const before = duBytes(storeDir);
          let start = performance.now();
          let used = process.cpuUsage();
          const meta = await recorder.begin({ kind: "turn", session: "bench", title: "turn" });
          let ms = performance.now() - start;
          let cpuUsed = cpuMs(used);
          editTurn(workspace, perFile);
          start = performance.now();
          used = process.cpuUsage();
          await recorder.finish(meta);
          ms += performance.now() - start;
          cpu.checkpoint.push(cpuUsed + cpuMs(used));
          growth.push((duBytes(storeDir) - before) / 1024);
          start = performance.now();
          used = process.cpuUsage();
          const report = await rollback(recorder, { to: meta.id, session: "bench" });
          rollbackMs.bridge.push(performance.now() - start);
          cpuUsed = cpuMs(used);
          cpu.rollback.push(cpuUsed);
          if (report.steps.length !== CHANGED) throw new Error(`the rollback changed ${report.steps.length} paths, expected ${CHANGED}`);
          return ms;
        },
      );
      const changedKB = (CHANGED * perFile) / 1024;
      const note = `Recorder and rollback driven directly; ${runs} runs; CPU time ${Math.round(median(cpu.checkpoint))} ms per turn; first checkpoint ${Math.round(first.bytes / 2 ** 20)} MB, store ${Math.round(initial / 2 ** 20)} MB after it`;
      return [
        { ...rows[0], baseline: median(cost.baseline), bridge: median(cost.bridge), samples: cost, note },
        { ...rows[1], baseline: median(rollbackMs.baseline), bridge: median(rollbackMs.bridge), samples: rollbackMs, note: `includes the checkpoint a rollback takes of the present first; CPU time ${Math.round(median(cpu.rollback))} ms` },
        { ...rows[2], baseline: changedKB, bridge: median(growth), samples: { baseline: growth.map(() => changedKB), bridge: growth }, note: "objects of the changed files plus the listings of the directories they are in (two trees)" },
      ];
    } catch (error) {
      return rows.map((row) => notAvailable(row, describeFailure(error)));
    } finally {
      rmSync(scratch, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    }
  },
};
