// Resolves a command name on PATH the way execvp would, so launch failures can be named before spawning.
import { accessSync, constants, statSync } from "node:fs";
import path from "node:path";

export type Resolution =
  | { readonly kind: "found"; readonly path: string }
  | { readonly kind: "missing"; readonly searched: readonly string[] }
  | { readonly kind: "not-executable"; readonly path: string };

function isExecutableFile(p: string): "yes" | "no-file" | "not-executable" {
  try {
    if (!statSync(p).isFile()) return "no-file";
  } catch {
    return "no-file";
  }
  try {
    accessSync(p, constants.X_OK);
    return "yes";
  } catch {
    return "not-executable";
  }
}

export function which(command: string, searchPath: string | undefined, cwd: string): Resolution {
  if (command.includes("/")) {
    const full = path.resolve(cwd, command);
    const state = isExecutableFile(full);
    if (state === "yes") return { kind: "found", path: full };
    if (state === "not-executable") return { kind: "not-executable", path: full };
    return { kind: "missing", searched: [full] };
  }
  const dirs = (searchPath ?? "").split(path.delimiter).filter(Boolean);
  let notExecutable: string | undefined;
  for (const dir of dirs) {
    const full = path.join(dir, command);
    const state = isExecutableFile(full);
    if (state === "yes") return { kind: "found", path: full };
    if (state === "not-executable") notExecutable ??= full;
  }
  if (notExecutable) return { kind: "not-executable", path: notExecutable };
  return { kind: "missing", searched: dirs };
}
