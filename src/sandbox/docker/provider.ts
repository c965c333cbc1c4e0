// The `docker` provider: one container per session (or a kept one), the agent and terminals as execs in it.
import { randomUUID } from "node:crypto";
import { SandboxUnavailableError } from "../../errors.js";
import { createLogger, type Logger } from "../../log/logger.js";
import type { DockerCopyMode } from "../../sync/docker/copy-mode.js";
import { type AgentPlan, plannedProcess } from "../agent-mounts.js";
import { refuseExposedHome, sandboxHome } from "../home.js";
import { NO_PROTECTION, prepareProtection } from "../protect/prepare.js";
import type { PipedProcess, ProcessSpec, RuntimeFiles, Sandbox, SandboxCapabilities, SandboxProvider, TtyProcess } from "../types.js";
import { describeMounts, sandboxPathMap } from "../view.js";
import { dockerClient } from "./client.js";
import { watchContainer } from "./death.js";
import { containerName, type ContainerPlan, execOptions } from "./container-options.js";
import { execPiped, execTty, type ExecTarget } from "./exec.js";
import { removeContainer, removeOrphans } from "./housekeeping.js";
import { ensureImage } from "./image.js";
import { ownerTag, type Persist } from "./labels.js";
import { obtainContainer, pauseIfIdle } from "./persist.js";
import { probeDocker } from "./probe.js";
import { startForwarder } from "./network.js";

export interface DockerProviderOptions {
  /** `--image`; the local node image when undefined. */
  readonly image?: string | undefined;
  /** `--docker-runtime`: `runsc` for gVisor. */
  readonly runtime?: string | undefined;
  readonly persist?: Persist | undefined;
  readonly log?: Logger | undefined;
  /** Why each extra directory is mounted (host path → reason), for the stderr summary. */
  readonly mountReasons?: Readonly<Record<string, string>> | undefined;
  /** The agent's command line and the mounts it needs (resolved on the host). */
  readonly agent?: AgentPlan | undefined;
  /** Copy mode (the sync engine's hooks): the container gets a copy of the workspace instead of a bind mount. */
  readonly copyMode?: DockerCopyMode | undefined;
}

/** Reads the docker provider's options out of the registry's untyped bag (values of the wrong type are ignored). */
export function dockerProviderOptions(options: Readonly<Record<string, unknown>>): DockerProviderOptions {
  const text = (key: string) => (typeof options[key] === "string" ? (options[key] as string) : undefined);
  const persist = text("persist");
  return {
    image: text("image"),
    runtime: text("runtime"),
    persist: persist === "reuse" || persist === "transient" ? persist : undefined,
    log: options["log"] as Logger | undefined,
    mountReasons: options["mountReasons"] as Record<string, string> | undefined,
    copyMode: options["copyMode"] as DockerCopyMode | undefined,
    agent: options["agent"] as AgentPlan | undefined,
  };
}

export function dockerCapabilities(runtime: string | undefined, sharesWorkspace = true): SandboxCapabilities {
  return {
    backend: "docker",
    isolation: runtime === "runsc" ? "gvisor" : "container",
    filesystemIsolation: true,
    networkEnforcement: true,
    networkModes: ["none", "allow", "open"],
    processLimits: true,
    pause: false,
    snapshot: false,
    sharesWorkspace,
  };
}

export function createDockerProvider(options: DockerProviderOptions = {}): SandboxProvider {
  const log = options.log ?? createLogger("silent");
  const persist = options.persist ?? "transient";
  const copy = options.copyMode?.enabled ? options.copyMode : undefined;
  return {
    name: "docker",
    probe: (signal) => probeDocker(dockerClient(), options.runtime, signal),
    prepare: async (spec, signal, extras) => {
      refuseExposedHome(spec, "docker");
      if (spec.network === "allow" && !extras?.network) throw new SandboxUnavailableError("network allow: the proxy is not running");
      const docker = dockerClient();
      // Two independent round trips to the daemon, at once.
      const [, image] = await Promise.all([removeOrphans(docker, log, spec.workspace), ensureImage(docker, options.image, log, signal)]);
      const protection = copy ? NO_PROTECTION : prepareProtection(spec, log, options.runtime === "runsc" ? "docker (runsc)" : "docker");
      const plan: ContainerPlan = {
        spec,
        image,
        runtime: options.runtime,
        persist,
        session: randomUUID(),
        owner: ownerTag(),
        uid: process.getuid?.() ?? 0,
        gid: process.getgid?.() ?? 0,
        home: sandboxHome(spec),
        workspaceMount: copy?.mount(spec.runtimeRoot),
        protect: protection.plan,
      };
      let obtained;
      try {
        obtained = await obtainContainer(docker, plan, log, signal);
      } catch (error) {
        protection.release();
        throw error;
      }
      const { container, reused } = obtained;
      log.info(
        `docker: ${reused ? "reusing kept" : persist === "reuse" ? "started kept" : "started"} container ${containerName(plan)} ` +
          `(image ${image}, runtime ${options.runtime ?? "default"}, network ${spec.network}); mounted ${describeMounts(spec, options.mountReasons, !!copy)}`,
      );
      let files: RuntimeFiles | undefined;
      if (copy) {
        try {
          files = await copy.attach({ docker, container, image, root: spec.runtimeRoot, uid: plan.uid, gid: plan.gid, reused, kept: persist === "reuse", ...(signal ? { signal } : {}) });
        } catch (error) {
          if (persist === "transient") await removeContainer(docker, container.id).catch(() => {});
          protection.release();
          throw error;
        }
      }
      // A container that dies under the agent (gVisor at its pids limit, an OOM) ends every exec at once.
      const watch = watchContainer(docker, container, spec.limits, options.runtime, log);
      const target: ExecTarget = { docker, container, image, gone: watch.died };
      let forwarder: { close(): Promise<void> } | undefined;
      if (spec.network === "allow" && extras?.network) {
        try {
          forwarder = await startForwarder(target, plan, extras.network);
        } catch (error) {
          watch.stop();
          if (persist === "transient") await removeContainer(docker, container.id).catch(() => {});
          throw error;
        }
      }
      const running = new Set<PipedProcess | TtyProcess>();
      const track = <T extends PipedProcess | TtyProcess>(p: T): T => {
        running.add(p);
        void p.exited.then(() => running.delete(p));
        return p;
      };
      let destroyed: Promise<void> | undefined;
      const refuseAfterDestroy = () => {
        if (destroyed) throw new SandboxUnavailableError("the docker sandbox has been destroyed");
      };
      const piped = async (p: ProcessSpec) => {
        refuseAfterDestroy();
        const planned = plannedProcess(options.agent, p);
        return track(await execPiped(target, execOptions(plan, planned), planned.command));
      };
      const destroy = (): Promise<void> => {
        destroyed ??= (async () => {
          watch.stop();
          await forwarder?.close();
          if (persist === "transient") {
            await removeContainer(docker, container.id);
            await Promise.allSettled([...running].map((p) => p.exited));
          } else {
            await Promise.allSettled([...running].map((p) => p.terminate(500)));
            const paused = await pauseIfIdle(docker, container.id, log);
            log.info(`docker: kept container ${containerName(plan)}${paused ? ", paused," : ""} for the next session (acp-sandbox prune removes it)`);
          }
          protection.release();
        })();
        return destroyed;
      };
      const sandbox: Sandbox = {
        capabilities: dockerCapabilities(options.runtime, !copy),
        spec,
        pathMap: sandboxPathMap(spec),
        files,
        protectedReadOnly: protection.readOnly,
        launch: piped,
        exec: piped,
        execTty: async (p, tty) => {
          refuseAfterDestroy();
          const planned = plannedProcess(options.agent, p);
          return track(await execTty(target, execOptions(plan, planned), planned.command, tty));
        },
        explainExit: async (status) => {
          // Docker's oom event can come a little after the end of the exec it killed.
          const killed = status.signal === "SIGKILL" || status.exitCode === 137;
          if (!killed || watch.explain()) return watch.explain();
          if (await watch.check()) return watch.explain();
          await new Promise((resolve) => setTimeout(resolve, 300));
          return watch.explain();
        },
        destroy,
        [Symbol.asyncDispose]: destroy,
      };
      return sandbox;
    },
  };
}
