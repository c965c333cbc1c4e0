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

function processEnv(spec: SandboxSpec, process: ProcessSpec): Record<string, string> {
  return { ...spec.env, ...process.env };
}

export function createLocalProvider(): SandboxProvider {
  return {
    name: "local",
    probe: async () => ({ backend: "local", available: true, detail: "a host process: no isolation" }),
    prepare: async (spec) => {
      const sandbox: Sandbox = {
        capabilities: LOCAL_CAPABILITIES,
        spec,
        pathMap: PathMap.identity(),
        files: undefined,
        launch: async (p) => {
          const cwd = p.cwd ?? spec.runtimeRoot;
          const env = processEnv(spec, p);
          const command = resolveCommand(p, env, cwd);
          return spawnPiped(command, p.args, { cwd, env });
        },
        exec: async (p) => {
          const cwd = p.cwd ?? spec.runtimeRoot;
          const env = processEnv(spec, p);
          return spawnPiped(resolveCommand(p, env, cwd), p.args, { cwd, env });
        },
        execTty: async (p, tty) => {
          const cwd = p.cwd ?? spec.runtimeRoot;
          const env = processEnv(spec, p);
          return spawnTty(resolveCommand(p, env, cwd), p.args, { cwd, env }, tty);
        },
        destroy: async () => {},
        [Symbol.asyncDispose]: async () => {},
      };
      return sandbox;
    },
  };
}
