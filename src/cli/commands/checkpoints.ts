// `acp-sandbox checkpoints` and `acp-sandbox rollback`: the workspace's checkpoints, from a terminal.
import { resolveCheckpointConfig } from "../../checkpoints/config.js";
import { Recorder } from "../../checkpoints/recorder.js";
import { checkpointJson, listCheckpoints, rollbackJson, runRollback } from "../../checkpoints/service.js";
import { CheckpointStore } from "../../checkpoints/store.js";
import { CANCEL_SIGNAL, runningTurn } from "../../checkpoints/turn-lock.js";
import { loadUserConfig } from "../../config/file.js";
import { resolveWorkspace } from "../../config/resolve.js";
import { CheckpointError } from "../../errors.js";
import type { Logger } from "../../log/logger.js";
import type { OptionValues } from "../parse.js";

const out = (text: string) => void process.stdout.write(text);

/** How long `--force` waits for a cancelled turn to end. */
const CANCEL_WAIT_MS = 30_000;

async function waitForTurnEnd(storeDir: string, log: Logger): Promise<void> {
  const turn = runningTurn(storeDir);
  if (!turn) return;
  log.info(`rollback: cancelling the turn running in session ${turn.sessions.join(", ")} (bridge pid ${turn.pid})`);
  try {
    process.kill(turn.pid, CANCEL_SIGNAL);
  } catch {
    return; // gone already
  }
  const deadline = Date.now() + CANCEL_WAIT_MS;
  while (runningTurn(storeDir)) {
    if (Date.now() > deadline) throw new CheckpointError(`the turn in session ${turn.sessions.join(", ")} did not end within ${CANCEL_WAIT_MS / 1000} s of being cancelled; nothing was changed`, { kind: "busy" });
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function runCheckpointsCommand(command: "checkpoints" | "rollback", values: OptionValues, log: Logger, env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Promise<number> {
  const workspace = resolveWorkspace(typeof values["workspace"] === "string" ? values["workspace"] : undefined, cwd);
  const user = command === "rollback" ? (await loadUserConfig(values, env, cwd)).config : undefined;
  const config = resolveCheckpointConfig({}, env, user?.checkpoints);
  const store = new CheckpointStore(config.stateDir, workspace);
  if (command === "checkpoints") {
    const listing = listCheckpoints(store);
    out(values["json"] ? JSON.stringify({ workspace, checkpoints: listing.checkpoints.map(checkpointJson) }) + "\n" : listing.text);
    return 0;
  }
  const dryRun = values["dry-run"] === true;
  const force = values["force"] === true;
  const turn = runningTurn(store.dir);
  if (turn && !dryRun) {
    if (!force) {
      throw new CheckpointError(
        `a turn is running in ${workspace} (session ${turn.sessions.join(", ")}, bridge pid ${turn.pid}); wait for it to end, or pass --force to cancel it`,
        { kind: "busy" },
      );
    }
    await waitForTurnEnd(store.dir, log);
  }
  // The rules the checkpoints were taken with: the newest one's excludes.
  const newest = store.list()[0];
  let excludes: readonly string[] = [];
  try {
    if (newest) excludes = store.readTree(newest.start).excludes;
  } catch {
    // damaged: the rollback itself reports it
  }
  const recorder = new Recorder({ workspace, stateDir: config.stateDir, excludes, limits: config.limits, onSweepError: (m) => log.warn(m) });
  const to = typeof values["to"] === "string" ? Number(values["to"]) : undefined;
  const done = await runRollback(recorder, { to, dryRun, force, session: "cli" });
  out(values["json"] ? JSON.stringify(rollbackJson(done)) + "\n" : done.text);
  // Let a sweep that became due finish before exit.
  await recorder.serial(async () => {});
  await new Promise((resolve) => setImmediate(resolve));
  await recorder.serial(async () => {});
  return 0;
}
