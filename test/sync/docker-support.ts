// Test support for copy mode on Docker: is a daemon here, the local node image, and containers shaped like the provider's.
import type Docker from "dockerode";
import { dockerClient } from "../../src/sandbox/docker/client.js";
import { ensureLocalNodeImage } from "../../src/sandbox/docker/local-image.js";
import { copyMount } from "../../src/sync/docker/copy-root.js";

/** Why Docker cannot be used here, or undefined when a daemon answers. */
export async function dockerUnavailable(docker: Docker = dockerClient()): Promise<string | undefined> {
  try {
    await docker.ping();
    return undefined;
  } catch (error) {
    return `no Docker daemon answers (${(error as Error).message})`;
  }
}

/**
 * A running container like the provider's copy-mode one: read-only root, no capabilities, no new privileges,
 * the given user, an anonymous volume at `root` for the copy. Labelled so a failed run can be found.
 */
export async function copyContainer(docker: Docker, root: string, user: string): Promise<{ container: Docker.Container; image: string; remove: () => Promise<void> }> {
  const image = await ensureLocalNodeImage({ docker });
  const container = await docker.createContainer({
    Image: image,
    Entrypoint: ["/bin/sh", "-c", "trap 'exit 0' TERM; while :; do sleep 86400 & wait $!; done"],
    Cmd: [],
    User: user,
    Labels: { "acp-sandbox.test": "sync" },
    HostConfig: {
      Mounts: [copyMount(root)],
      Tmpfs: { "/tmp": "rw,size=64m,mode=1777" },
      ReadonlyRootfs: true,
      CapDrop: ["ALL"],
      SecurityOpt: ["no-new-privileges"],
      NetworkMode: "none",
      Init: true,
    },
  });
  await container.start();
  return { container, image, remove: () => container.remove({ force: true, v: true }).then(() => {}, () => {}) };
}

/** Runs a shell command in the container as its user; resolves with stdout and stderr, rejects on a non-zero exit. */
export async function shell(container: Docker.Container, command: string, user?: string): Promise<string> {
  const exec = await container.exec({ Cmd: ["/bin/sh", "-c", command], AttachStdout: true, AttachStderr: true, ...(user ? { User: user } : {}) });
  const stream = await exec.start({});
  const chunks: Buffer[] = [];
  stream.on("data", (chunk: Buffer) => chunks.push(chunk));
  await new Promise((resolve) => stream.on("end", resolve));
  // Strip the 8-byte frame headers of the multiplexed stream.
  const raw = Buffer.concat(chunks);
  let text = "";
  for (let at = 0; at + 8 <= raw.length; ) {
    const length = raw.readUInt32BE(at + 4);
    text += raw.subarray(at + 8, at + 8 + length).toString("utf8");
    at += 8 + length;
  }
  const { ExitCode } = await exec.inspect();
  if (ExitCode !== 0) throw new Error(`\`${command}\` exited ${ExitCode}: ${text}`);
  return text;
}
