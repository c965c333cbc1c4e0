// The `bwrap` provider: every process (agent, terminals) in its own bubblewrap with the same view of the host.
import { LaunchError, SandboxUnavailableError } from "../../errors.js";
import { createLogger, type Logger } from "../../log/logger.js";
import { spawnPiped, spawnTty } from "../../process/spawn.js";
import { type AgentPlan, isPlannedAgent, plannedProcess } from "../agent-mounts.js";
import { refuseExposedHome, sandboxHome } from "../home.js";
import { prepareProtection } from "../protect/prepare.js";
import { describeMounts, sandboxPathMap } from "../view.js";
import type { PipedProcess, ProcessSpec, Sandbox, SandboxCapabilities, SandboxProvider, SandboxSpec, TtyProcess } from "../types.js";
import { startBwrapLimits } from "../limits/bwrap-limits.js";
import { joinCgroup } from "../limits/wrapper.js";
import { type BwrapPlan, bwrapArgv } from "./argv.js";
import { bwrapPath, probeBwrap } from "./probe.js";
import { createScratch, removeStaleScratch } from "./scratch.js";
import { masks, networkFiles, systemEntries } from "./system.js";
import { SYSTEM_DIRS } from "../agent-mounts.js";

function underSystemDirs(file: string): boolean {
  return SYSTEM_DIRS.some((dir) => file.startsWith(dir + "/"));
}

export interface BwrapProviderOptions {
  readonly log?: Logger | undefined;
  /** The agent's command line and the mounts it needs (resolved on the host). */
  readonly agent?: AgentPlan | undefined;
  readonly mountReasons?: Readonly<Record<string, string>> | undefined;
}

export function bwrapProviderOptions(options: Readonly<Record<string, unknown>>): BwrapProviderOptions {
  return {
    log: options["log"] as Logger | undefined,
    agent: options["agent"] as AgentPlan | undefined,
    mountReasons: options["mountReasons"] as Record<string, string> | undefined,
  };
}

export function bwrapCapabilities(spec: SandboxSpec, processLimits = false): SandboxCapabilities {
  return {
    backend: "bwrap",
    isolation: "namespaces",
    filesystemIsolation: true,
    networkEnforcement: spec.network !== "open",
    networkModes: ["none", "allow", "open"],
    processLimits,
    pause: false,
    snapshot: false,
    sharesWorkspace: true,
  };
}

export function createBwrapProvider(options: BwrapProviderOptions = {}): SandboxProvider {
  const log = options.log ?? createLogger("silent");
  return {
    name: "bwrap",
    probe: () => probeBwrap(),
    prepare: async (spec, _signal, extras) => {
      refuseExposedHome(spec, "bwrap");
      if (spec.network === "allow" && !extras?.network) throw new SandboxUnavailableError("network allow: the proxy is not running");
      const stale = removeStaleScratch();
      if (stale.length > 0) log.debug(`bwrap: removed ${stale.length} scratch director${stale.length === 1 ? "y" : "ies"} of bridges that are gone`);
      const scratch = createScratch();
      let protection;
      try {
        protection = prepareProtection(spec, log, "bwrap");
      } catch (error) {
        scratch.remove();
        throw error;
      }
      const plan: BwrapPlan = {
        spec,
        home: sandboxHome(spec),
        scratchHome: scratch.home,
        scratchTmp: scratch.tmp,
        system: systemEntries(),
        masks: masks(),
        networkFiles: networkFiles(),
        protect: protection.plan,
        network: extras?.network ? { channel: extras.network, node: process.execPath, bindNode: !underSystemDirs(process.execPath) } : undefined,
      };
      const bwrap = bwrapPath();
      log.info(`bwrap: network ${spec.network}, fresh HOME and /tmp; mounted ${describeMounts(spec, options.mountReasons)}`);
      const limits = await startBwrapLimits(spec.limits, scratch.tmp, log);
      if (spec.limits.cpus !== undefined) log.debug("bwrap: the CPU limit is not enforced by bwrap (use --sandbox docker for it)");
      // Every bwrap joins the sandbox's cgroup before it starts, so the limits count them together.
      const joined = (argv: string[]) => joinCgroup(limits.procsFiles, bwrap, argv);
      const running = new Set<PipedProcess | TtyProcess>();
      const track = <T extends PipedProcess | TtyProcess>(p: T): T => {
        running.add(p);
        void p.exited.then(() => running.delete(p));
        return p;
      };
      let destroyed: Promise<void> | undefined;
      const prepareProcess = (p: ProcessSpec): ProcessSpec => {
        if (destroyed) throw new SandboxUnavailableError("the bwrap sandbox has been destroyed");
        if (isPlannedAgent(options.agent, p) && options.agent?.problem) throw new LaunchError(options.agent.problem);
        return plannedProcess(options.agent, p);
      };
      const env = (p: ProcessSpec) => ({ ...spec.env, ...p.env });
      const piped = async (p: ProcessSpec) => {
        const planned = prepareProcess(p);
        const run = joined(bwrapArgv(plan, planned));
        return track(await spawnPiped(run.command, run.args, { cwd: scratch.root, env: env(planned) }));
      };
      const destroy = (): Promise<void> => {
        destroyed ??= (async () => {
          await Promise.allSettled([...running].map((p) => p.terminate(500)));
          await limits.release();
          scratch.remove();
          protection.release();
        })();
        return destroyed;
      };
      const sandbox: Sandbox = {
        capabilities: bwrapCapabilities(spec, limits.processLimits),
        spec,
        pathMap: sandboxPathMap(spec),
        files: undefined,
        protectedReadOnly: protection.readOnly,
        launch: piped,
        exec: piped,
        execTty: async (p, tty) => {
          const planned = prepareProcess(p);
          const run = joined(bwrapArgv(plan, planned, { tty: true }));
          return track(await spawnTty(run.command, run.args, { cwd: scratch.root, env: env(planned) }, tty));
        },
        // The agent is the bwrap's only child: when it dies (OOM-killed), the whole namespace goes with it.
        explainExit: async () => {
          const reason = limits.reason();
          return reason === undefined ? undefined : { reason, killed: reason.startsWith("out of memory") };
        },
        destroy,
        [Symbol.asyncDispose]: destroy,
      };
      return sandbox;
    },
  };
}
