// `--network allow` in a container: the forwarder as one exec, its connections multiplexed over the exec's stdio.
import { LaunchError } from "../../errors.js";
import { GATEWAY_PORT, INSIDE_DIR, PROXY_PORT } from "../../network/inside/layout.js";
import { MUX_FORWARDER_SOURCE } from "../../network/inside/mux-forwarder.js";
import { PRELOAD_SOURCE } from "../../network/inside/preload.js";
import { serveMux } from "../../network/mux.js";
import type { NetworkChannel } from "../types.js";
import { type ContainerPlan, execOptions } from "./container-options.js";
import { execPiped, type ExecTarget } from "./exec.js";

const READY_TIMEOUT_MS = 20_000;

/**
 * Starts the forwarder in the container (it needs node in the image) and serves its connections from the
 * proxy's and the gateway's sockets. Works against a remote engine: only the exec's stdio crosses.
 */
export async function startForwarder(target: ExecTarget, plan: ContainerPlan, channel: NetworkChannel): Promise<{ close(): Promise<void> }> {
  const targets = [channel.proxySocket, ...(channel.gatewaySocket ? [channel.gatewaySocket] : [])];
  const pairs = [`${PROXY_PORT}=0`, ...(channel.gatewaySocket ? [`${GATEWAY_PORT}=1`] : [])];
  const args = ["-e", MUX_FORWARDER_SOURCE, INSIDE_DIR, Buffer.from(PRELOAD_SOURCE).toString("base64"), ...pairs];
  // The forwarder must not load the preload it is about to write.
  const process = await execPiped(target, execOptions(plan, { command: "node", args, env: { NODE_OPTIONS: "" } }), "node");
  const stderr: string[] = [];
  process.stderr.setEncoding("utf8");
  process.stderr.on("data", (chunk: string) => stderr.push(chunk));
  const mux = serveMux(process.stdout, process.stdin, targets);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      mux.ready,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS))),
    ]);
  } catch (error) {
    mux.close();
    await process.terminate(500);
    const said = stderr.join("").trim().split("\n").slice(-3).join("; ");
    throw new LaunchError(`network allow: the forwarder did not start in the container (${said || (error as Error).message}); the image needs node on its PATH`);
  } finally {
    clearTimeout(timer);
  }
  return {
    close: async () => {
      mux.close();
      await process.terminate(500);
    },
  };
}
