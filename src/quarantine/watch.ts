// Sooner than the turn's end: watches the workspace's top and its git directories, and asks for a sweep when something there moves.
import { type FSWatcher, watch } from "node:fs";
import path from "node:path";
import { mayBeProtected } from "../policy/protected.js";

export interface TopWatch {
  close(): void;
}

/**
 * Non-recursive watches (one inotify watch each) on `workspace` and on up to 32 of its `.git` directories:
 * a protected name appearing there (`.vscode`, `.envrc`, `.git/commondir`, …) calls `onChange` once things have
 * been quiet for `quietMs`. Deeper paths (a new nested repository) wait for the turn's end.
 */
export function watchTop(workspace: string, gitDirs: Iterable<string>, onChange: () => void, quietMs = 250): TopWatch {
  const watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  const poke = (name: string | Buffer | null) => {
    if (name !== null && !mayBeProtected(String(name)) && String(name) !== ".git") return;
    clearTimeout(timer);
    timer = setTimeout(onChange, quietMs);
    timer.unref();
  };
  const dirs = [workspace, ...[...gitDirs].slice(0, 32).map((rel) => path.join(workspace, rel))];
  for (const dir of dirs) {
    try {
      const w = watch(dir, { persistent: false }, (_event, name) => poke(name));
      w.on("error", () => w.close());
      watchers.push(w);
    } catch {
      // gone, or no watches left: the turn's end still sweeps
    }
  }
  return {
    close: () => {
      clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}
