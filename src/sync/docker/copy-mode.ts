// What the docker provider asks of copy mode: whether to use it, the mount it needs, and filling the copy.
import type Docker from "dockerode";
import type { RuntimeFiles } from "../../sandbox/types.js";
import { remoteDockerHost } from "../config.js";
import type { CopySession } from "../session.js";
import { copyMount, ownCopyRoot } from "./copy-root.js";

export interface DockerCopyTarget {
  readonly docker: Docker;
  readonly container: Docker.Container;
  readonly image: string;
  /** Runtime path of the workspace. */
  readonly root: string;
  readonly uid: number;
  readonly gid: number;
  /** The container was found again (`--persist reuse`): its copy exists already. */
  readonly reused: boolean;
  /** The container outlives the session. */
  readonly kept: boolean;
  readonly signal?: AbortSignal;
}

/** The hooks the docker provider calls in copy mode. */
export interface DockerCopyMode {
  /** Whether this session's container gets a copy instead of a bind mount. */
  readonly enabled: boolean;
  /** The mount that replaces the workspace's bind mount. */
  mount(root: string): Docker.MountSettings;
  /** Once the container runs: the copy given to the sandbox's user, filled from the host; the runtime's file view. */
  attach(target: DockerCopyTarget): Promise<RuntimeFiles>;
}

/** Copy mode for Docker, driven by a session's settings: `auto` means copy exactly when the engine is remote. */
export function dockerCopyMode(session: CopySession, env: NodeJS.ProcessEnv = process.env): DockerCopyMode {
  const { mount } = session.config;
  return {
    enabled: mount === "copy" || (mount === "auto" && remoteDockerHost(env) !== undefined),
    mount: copyMount,
    attach: async (target) => {
      // Loaded here, not at the top: every bridge builds these hooks, few run in copy mode.
      const [{ DockerRuntimeFiles }, { DockerSyncRuntime }] = await Promise.all([import("./files.js"), import("./runtime.js")]);
      if (!target.reused) await ownCopyRoot(target.docker, target.container, target.root, target.image, target.uid, target.gid);
      const user = `${target.uid}:${target.gid}`;
      const runtime = new DockerSyncRuntime({ container: target.container, root: target.root, user });
      await session.attach({ runtime, owner: { uid: target.uid, gid: target.gid }, kept: target.kept, ...(target.signal ? { signal: target.signal } : {}) });
      return new DockerRuntimeFiles(target.container, { uid: target.uid, gid: target.gid });
    },
  };
}
