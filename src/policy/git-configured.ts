// Paths a repository's own git config makes run: core.hooksPath and include targets that lie inside the workspace.
import { execFileSync } from "node:child_process";
import { statSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export interface ConfiguredPath {
  /** Relative to the workspace root, POSIX. */
  readonly rel: string;
  /** Shown as the protected pattern (`<rel>/**` for a hooks directory). */
  readonly pattern: string;
  readonly reason: string;
}

const KEYS = "^(core\\.hookspath|include\\.path|includeif\\..*\\.path)$";

/** `key value` pairs of one config file, includes not followed; none when git is missing or the file unreadable. */
function readConfig(args: readonly string[]): Array<[string, string]> {
  try {
    const out = execFileSync("git", ["config", ...args, "--no-includes", "--null", "--get-regexp", KEYS], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 2000,
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1" },
    });
    return out
      .split("\0")
      .filter(Boolean)
      .map((entry) => {
        const nl = entry.indexOf("\n");
        return [entry.slice(0, nl < 0 ? entry.length : nl).toLowerCase(), nl < 0 ? "" : entry.slice(nl + 1)];
      });
  } catch {
    return [];
  }
}

const fileCache = new Map<string, { key: string; pairs: Array<[string, string]> }>();

/** One config file's pairs, re-read only when the file changes; none when it does not exist. */
function readConfigFile(file: string): Array<[string, string]> {
  let key: string;
  try {
    const st = statSync(file);
    key = `${st.mtimeMs}:${st.size}:${st.ino}`;
  } catch {
    return [];
  }
  const hit = fileCache.get(file);
  if (hit?.key === key) return hit.pairs;
  const pairs = readConfig(["--file", file]);
  fileCache.set(file, { key, pairs });
  return pairs;
}

function expand(value: string, base: string): string {
  if (value === "~" || value.startsWith("~/")) return path.join(os.homedir(), value.slice(1));
  return path.resolve(base, value);
}

function inside(root: string, target: string): string | undefined {
  const rel = path.relative(root, target);
  if (rel === "" || rel.startsWith("..") || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep).join("/");
}

/**
 * What one git directory's config (and the user's global one) makes run inside `root`: the hooks directory
 * named by core.hooksPath (relative to `worktree`, where hooks run) and included config files (relative to the
 * file that includes them).
 */
export function gitConfigTargets(root: string, gitDir: string, worktree: string): ConfiguredPath[] {
  const found: ConfiguredPath[] = [];
  const files = [path.join(gitDir, "config"), path.join(gitDir, "config.worktree")];
  const sources: Array<{ pairs: Array<[string, string]>; dir: string; name: string }> = files.map((file) => ({
    pairs: readConfigFile(file),
    dir: path.dirname(file),
    name: path.relative(root, file) || file,
  }));
  sources.push({ pairs: globalPairs(), dir: os.homedir(), name: "your global git config" });
  for (const { pairs, dir, name } of sources) {
    for (const [key, value] of pairs) {
      if (!value) continue;
      if (key === "core.hookspath") {
        const rel = inside(root, expand(value, worktree));
        if (rel) found.push({ rel, pattern: `${rel}/**`, reason: `core.hooksPath in ${name}: git runs the hooks there` });
      } else {
        const rel = inside(root, expand(value, dir));
        if (rel) found.push({ rel, pattern: rel, reason: `included by ${key} in ${name}: a config with the same powers` });
      }
    }
  }
  return found;
}

let globalCache: { at: number; pairs: Array<[string, string]> } | undefined;
function globalPairs(): Array<[string, string]> {
  if (!globalCache || Date.now() - globalCache.at > 5000) globalCache = { at: Date.now(), pairs: readConfig(["--global"]) };
  return globalCache.pairs;
}

const cache = new Map<string, { key: string; paths: ConfiguredPath[] }>();

/** The workspace's top repository's configured paths, re-read when its config changes. */
export function configuredProtections(root: string): ConfiguredPath[] {
  const gitDir = path.join(root, ".git");
  let key: string;
  try {
    const st = statSync(path.join(gitDir, "config"));
    key = `${st.mtimeMs}:${st.size}:${st.ino}`;
  } catch {
    return [];
  }
  const hit = cache.get(root);
  if (hit && hit.key === key) return hit.paths;
  const paths = gitConfigTargets(root, gitDir, root);
  cache.set(root, { key, paths });
  return paths;
}
