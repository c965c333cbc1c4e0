// The sandbox's HOME: a fresh, empty directory at the host HOME's path, and the refusal to expose the real one.
import os from "node:os";
import path from "node:path";
import { SandboxUnavailableError } from "../errors.js";
import type { SandboxBackend, SandboxSpec } from "./types.js";

/** Used when the host HOME is unset or unusable (`/`). */
export const FALLBACK_HOME = "/home/sandbox";

/** Where HOME is inside an isolating sandbox: the host's HOME path (shadowed by an empty one), else a fallback. */
export function sandboxHome(spec: SandboxSpec): string {
  const home = spec.env["HOME"];
  if (!home || !path.isAbsolute(home) || path.resolve(home) === "/") return FALLBACK_HOME;
  return path.resolve(home);
}

function contains(dir: string, candidate: string): boolean {
  return candidate === dir || candidate.startsWith(dir.endsWith("/") ? dir : dir + "/");
}

/**
 * Refuses a sandbox whose workspace would show the user's real HOME (or all of it): the point of an
 * isolating sandbox is that ~/.ssh and credentials stay out of sight. (Directories granted on purpose
 * with --ro/--rw are the user's explicit choice and are not refused.)
 */
export function refuseExposedHome(spec: SandboxSpec, backend: SandboxBackend, realHome: string = os.homedir()): void {
  if (!realHome || realHome === "/") return;
  const home = path.resolve(realHome);
  if (contains(spec.workspace, home)) {
    throw new SandboxUnavailableError(
      `the ${backend} sandbox would expose your home directory: the workspace ${spec.workspace} contains ${home}`,
      "run from a project directory inside it instead, or pass --sandbox local",
    );
  }
}
