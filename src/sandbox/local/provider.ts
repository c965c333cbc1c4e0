// The `local` provider: the agent runs as a host process in the workspace, with no isolation at all.
import { LaunchError } from "../../errors.js";
import { spawnPiped, spawnTty } from "../../process/spawn.js";
import { which } from "../../process/which.js";
import { PathMap } from "../path-map.js";
import type { ProcessSpec, Sandbox, SandboxCapabilities, SandboxProvider, SandboxSpec } from "../types.js";

export const LOCAL_CAPABILITIES: SandboxCapabilities = {
  backend: "local",
  isolation: "none",
  filesystemIsolation: false,
  networkEnforcement: false,
  networkModes: [],
  processLimits: false,
  pause: false,
  snapshot: false,
  sharesWorkspace: true,
};

/** Resolves the command against the sandbox's PATH and names the failure before anything is spawned. */
export function resolveCommand(spec: ProcessSpec, env: Readonly<Record<string, string>>, cwd: string): string {
  const found = which(spec.command, env["PATH"], cwd);
  switch (found.kind) {
    case "found":
      return found.path;
    case "not-executable":
      throw new LaunchError(`${found.path} is not executable`);
    case "missing":
      throw new LaunchError(
        spec.command.includes("/")
          ? `${spec.command} not found`
          : `${spec.command} not found on PATH (${found.searched.join(":") || "PATH is empty"})`,
      );
  }
}

/** Where and how a process runs on the host: cwd, the sandbox env plus the process's own, the resolved command. */
function hostLaunch(spec: SandboxSpec, process: ProcessSpec): { command: string; cwd: string; env: Record<string, string> } {
  const cwd = process.cwd ?? spec.runtimeRoot;
  const env = { ...spec.env, ...process.env };
  return { command: resolveCommand(process, env, cwd), cwd, env };
}

export function createLocalProvider(): SandboxProvider {
  return {
    name: "local",
    probe: async () => ({ backend: "local", available: true, detail: "a host process: no isolation" }),
    prepare: async (spec) => {
      const piped = async (p: ProcessSpec) => {
        const { command, cwd, env } = hostLaunch(spec, p);
        return spawnPiped(command, p.args, { cwd, env });
      };
      const sandbox: Sandbox = {
        capabilities: LOCAL_CAPABILITIES,
        spec,
        pathMap: PathMap.identity(),
        files: undefined,
        launch: piped,
        exec: piped,
        execTty: async (p, tty) => {
          const { command, cwd, env } = hostLaunch(spec, p);
          return spawnTty(command, p.args, { cwd, env }, tty);
        },
        destroy: async () => {},
        [Symbol.asyncDispose]: async () => {},
      };
      return sandbox;
    },
  };
}
