// Copy mode's workspace in a container: a volume at the runtime root, owned by the sandbox's user.
import type Docker from "dockerode";
import { SyncError } from "../../errors.js";
import { dockerErrorMessage } from "../../sandbox/docker/client.js";
import { SYNC_SCRIPT } from "./script.js";

/** The mount that replaces the workspace bind mount in copy mode: an anonymous volume, removed with the container. */
export function copyMount(runtimeRoot: string): Docker.MountSettings {
  return { Type: "volume", Source: "", Target: runtimeRoot, ReadOnly: false };
}

/** The one-shot container that hands the volume's root to the sandbox's user (Docker creates it root-owned). */
export function chownHelperOptions(image: string, volume: string, uid: number, gid: number, node = "node"): Docker.ContainerCreateOptions {
  return {
    Image: image,
    Entrypoint: [node, "-e", SYNC_SCRIPT, "chown", "/copy", JSON.stringify({ uid, gid })],
    Cmd: [],
    User: "0:0",
    WorkingDir: "/",
    Env: ["PATH=/usr/local/bin:/usr/bin:/bin"],
    NetworkDisabled: true,
    HostConfig: {
      Mounts: [{ Type: "volume", Source: volume, Target: "/copy", ReadOnly: false }],
      CapDrop: ["ALL"],
      CapAdd: ["CHOWN"],
      SecurityOpt: ["no-new-privileges"],
      NetworkMode: "none",
      ReadonlyRootfs: true,
      AutoRemove: false,
    },
  };
}

/** The name of the volume mounted at `root` in `container`. */
export async function copyVolumeName(container: Docker.Container, root: string): Promise<string> {
  const info = await container.inspect();
  const mount = info.Mounts.find((m) => m.Destination === root && m.Type === "volume");
  if (!mount?.Name) throw new SyncError(`the container has no volume at ${root} for the workspace copy`);
  return mount.Name;
}

/**
 * Gives the copy root to `uid:gid` (nothing to do for root). Runs a helper container with only CAP_CHOWN,
 * since the sandbox itself has no capabilities at all; the helper is removed whatever happens.
 */
export async function ownCopyRoot(docker: Docker, container: Docker.Container, root: string, image: string, uid: number, gid: number, node = "node"): Promise<void> {
  if (uid === 0 && gid === 0) return;
  let helper: Docker.Container | undefined;
  try {
    const volume = await copyVolumeName(container, root);
    helper = await docker.createContainer(chownHelperOptions(image, volume, uid, gid, node));
    await helper.start();
    const result = (await helper.wait()) as { StatusCode?: number };
    if (result.StatusCode !== 0) {
      const logs = (await helper.logs({ stdout: true, stderr: true })).toString("utf8").replace(/[\x00-\x08]/g, "").trim();
      throw new SyncError(`cannot give the workspace copy to ${uid}:${gid} (exit ${result.StatusCode}): ${logs.slice(-500) || "no message"}`);
    }
  } catch (error) {
    if (error instanceof SyncError) throw error;
    throw new SyncError(`cannot prepare the workspace copy in the container: ${dockerErrorMessage(error)}`, { cause: error });
  } finally {
    await helper?.remove({ force: true, v: false }).catch(() => {});
  }
}
