// The sandboxed ways to start a session (bwrap, docker with runc and runsc, docker reuse) and their raw baselines.
import { existsSync } from "node:fs";
import path from "node:path";
import { bridged, ROOT } from "../commands.js";
import type { StartVariant } from "./start.js";

/** `bwrap … true`: the namespaces and mounts of a sandbox, without the agent. */
export function bwrapTrueArgv(workspace: string): string[] {
  return ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", "--bind", workspace, workspace, "--unshare-all", "--die-with-parent", "--new-session", "true"];
}

const BWRAP: StartVariant = {
  label: "bwrap",
  target: { bound: "max", value: 100, text: "< +100 ms over raw" },
  prepare: async (context) => ({
    bridge: bridged("bwrap", context.workspace),
    raw: { label: "bwrap … true", argv: bwrapTrueArgv(context.workspace) },
  }),
};

const DOCKER_TARGET = { bound: "max", value: 150, text: "< +150 ms over raw" } as const;

function dockerVariant(label: string): StartVariant {
  return {
    label,
    target: DOCKER_TARGET,
    prepare: async () =>
      existsSync(path.join(ROOT, "dist", "src", "sandbox", "docker"))
        ? { unavailable: "the docker provider's bench hook is not written yet" }
        : { unavailable: "the docker provider has not landed in this build" },
  };
}

export function sandboxVariants(): StartVariant[] {
  return [BWRAP, dockerVariant("docker (runc)"), dockerVariant("docker (runsc)"), dockerVariant("docker reuse")];
}
