// Which workspace paths sync leaves alone: built-in defaults, every `.gitignore`, and configured patterns.
import { readFileSync } from "node:fs";
import path from "node:path";
import ignore, { type Ignore } from "ignore";

/** Build output, dependencies and caches: large, regenerated, and not the agent's work. gitignore syntax. */
export const DEFAULT_EXCLUDES: readonly string[] = [
  "node_modules/",
  "dist/",
  "build/",
  "target/",
  ".cache/",
  ".venv/",
  "venv/",
  "__pycache__/",
  ".pytest_cache/",
  ".mypy_cache/",
  ".tox/",
  ".gradle/",
  ".next/",
  ".nuxt/",
  ".turbo/",
  ".parcel-cache/",
  "coverage/",
  ".DS_Store",
];

/** Temporary files sync itself writes before renaming them into place. */
export const TEMP_MARKER = ".acp-sandbox-tmp-";
const TEMP_PATTERN = `*${TEMP_MARKER}*`;

/**
 * Decides exclusion for relative POSIX paths. `.gitignore` files are read from the host workspace, lazily, once
 * per directory; the defaults and the configured patterns are anchored at the workspace root (configured
 * patterns come last, so `!build/` brings a default back).
 */
export class Excludes {
  readonly #root: string;
  readonly #rootRules: Ignore;
  readonly #gitignores = new Map<string, Ignore | null>();

  constructor(root: string, patterns: readonly string[] = []) {
    this.#root = root;
    this.#rootRules = ignore().add([...DEFAULT_EXCLUDES, TEMP_PATTERN, ...patterns]);
  }

  /** True when `rel` (or a directory above it) is excluded. `isDir` says whether `rel` is a directory. */
  excluded(rel: string, isDir: boolean): boolean {
    if (rel === "" || rel === ".") return false;
    const probe = isDir ? `${rel}/` : rel;
    if (this.#rootRules.ignores(probe)) return true;
    const parts = rel.split("/");
    for (let depth = 0; depth < parts.length; depth++) {
      const dir = parts.slice(0, depth).join("/");
      const rules = this.#gitignore(dir);
      if (!rules) continue;
      const rest = parts.slice(depth).join("/");
      if (rules.ignores(isDir ? `${rest}/` : rest)) return true;
    }
    return false;
  }

  /** Directory names excluded wherever they appear: a runtime walk can skip them without reading them. */
  prunedNames(): string[] {
    return DEFAULT_EXCLUDES.filter((p) => p.endsWith("/"))
      .map((p) => p.slice(0, -1))
      .filter((name) => this.#rootRules.ignores(`${name}/`) && this.#rootRules.ignores(`x/${name}/`));
  }

  /** Forgets cached `.gitignore` files (they may have changed since the last sync). */
  reset(): void {
    this.#gitignores.clear();
  }

  #gitignore(dir: string): Ignore | null {
    const cached = this.#gitignores.get(dir);
    if (cached !== undefined) return cached;
    let rules: Ignore | null = null;
    try {
      rules = ignore().add(readFileSync(path.join(this.#root, dir, ".gitignore"), "utf8"));
    } catch {
      rules = null;
    }
    this.#gitignores.set(dir, rules);
    return rules;
  }
}
