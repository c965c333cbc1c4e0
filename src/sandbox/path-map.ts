// Translates absolute paths between the host's view and the runtime's view of the workspace.
import path from "node:path";

interface Mapping {
  readonly host: string;
  readonly runtime: string;
}

function within(root: string, candidate: string): string | undefined {
  if (candidate === root) return "";
  const prefix = root.endsWith(path.sep) ? root : root + path.sep;
  return candidate.startsWith(prefix) ? candidate.slice(prefix.length) : undefined;
}

/** A set of host⇄runtime directory pairs; the longest matching root wins. */
export class PathMap {
  readonly #mappings: readonly Mapping[];
  readonly isIdentity: boolean;

  constructor(mappings: readonly Mapping[]) {
    this.#mappings = [...mappings].sort((a, b) => b.host.length - a.host.length);
    this.isIdentity = mappings.every((m) => m.host === m.runtime);
  }

  static identity(): PathMap {
    return new PathMap([]);
  }

  /** Host path → runtime path; undefined when the path lies under no mapped root. */
  toRuntime(hostPath: string): string | undefined {
    return this.#translate(hostPath, "host", "runtime");
  }

  /** Runtime path → host path; undefined when the path lies under no mapped root. */
  toHost(runtimePath: string): string | undefined {
    return this.#translate(runtimePath, "runtime", "host");
  }

  #translate(p: string, from: keyof Mapping, to: keyof Mapping): string | undefined {
    if (this.isIdentity) return p;
    const normal = path.posix.normalize(p);
    const ordered = from === "host" ? this.#mappings : [...this.#mappings].sort((a, b) => b.runtime.length - a.runtime.length);
    for (const m of ordered) {
      const rest = within(m[from], normal);
      if (rest !== undefined) return rest === "" ? m[to] : path.posix.join(m[to], rest);
    }
    return undefined;
  }
}
