// The host directory behind a bwrap sandbox's HOME and /tmp, shared by the agent and its terminals.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { processStartTime } from "../docker/labels.js";
import { unmountTmpfs } from "../limits/tmpfs.js";

const PREFIX = "acp-sandbox-bwrap-";

export interface Scratch {
  readonly root: string;
  readonly home: string;
  readonly tmp: string;
  remove(): void;
}

/** `acp-sandbox-bwrap-<pid>-XXXXXX` under the host's temp directory, private to this user. */
export function createScratch(base: string = os.tmpdir()): Scratch {
  const root = mkdtempSync(path.join(base, `${PREFIX}${process.pid}-`));
  const home = path.join(root, "home");
  const tmp = path.join(root, "tmp");
  mkdirSync(home, { mode: 0o700 });
  mkdirSync(tmp, { mode: 0o700 });
  const remove = () => {
    // Its /tmp may be the tmpfs that limits its size (root).
    unmountTmpfs(tmp);
    rmSync(root, { recursive: true, force: true });
  };
  return { root, home, tmp, remove };
}

/** Removes scratch directories of this user whose bridge is gone (killed with SIGKILL); returns them. */
export function removeStaleScratch(base: string = os.tmpdir()): string[] {
  const removed: string[] = [];
  const uid = process.getuid?.();
  let entries: string[];
  try {
    entries = readdirSync(base);
  } catch {
    return removed;
  }
  for (const entry of entries) {
    const m = new RegExp(`^${PREFIX}(\\d+)-`).exec(entry);
    if (!m || Number(m[1]) === process.pid || processStartTime(Number(m[1])) !== undefined) continue;
    const dir = path.join(base, entry);
    try {
      if (uid !== undefined && statSync(dir).uid !== uid) continue;
      // Its /tmp may still be the tmpfs that limited its size.
      unmountTmpfs(path.join(dir, "tmp"));
      rmSync(dir, { recursive: true, force: true });
      removed.push(dir);
    } catch {
      // another bridge removed it first
    }
  }
  return removed;
}
