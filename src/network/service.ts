// The host side of `--network allow`: the proxy and the gateway on unix sockets in a directory of their own.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type { Logger } from "../log/logger.js";
import type { NetworkRules } from "../policy/network-rules.js";
import type { NetworkMonitor } from "./events.js";
import { createGateway, type Gateway } from "./gateway.js";
import type { GatewayRoute } from "./gateway-presets.js";
import { FORWARDER_SOURCE } from "./inside/forwarder.js";
import { FORWARDER_FILE, GATEWAY_PORT, PRELOAD_FILE } from "./inside/layout.js";
import { PRELOAD_SOURCE } from "./inside/preload.js";
import { createProxy, type Proxy } from "./proxy.js";
import type { Resolver } from "./resolve.js";

export interface NetworkPlan {
  readonly rules: NetworkRules;
  /** The credential gateway's route, when a preset's key is kept out of the sandbox. */
  readonly gateway: GatewayRoute | undefined;
  readonly resolve: Resolver;
  /** Extra certificates the gateway trusts for its upstream (tests' stand-in API). */
  readonly upstreamCa?: string | Buffer | undefined;
}

export interface NetworkService {
  /** Host directory holding the sockets, the forwarder and the preload (bound read-only into bwrap sandboxes). */
  readonly dir: string;
  readonly proxySocket: string;
  readonly gatewaySocket: string | undefined;
  readonly monitor: NetworkMonitor;
  readonly plan: NetworkPlan;
  close(): Promise<void>;
}

// Named like bwrap's scratch directories so that a bridge killed with SIGKILL has its directory removed by the next.
const PREFIX = `acp-sandbox-bwrap-${process.pid}-net-`;

function listen(file: string, onConnection: (socket: net.Socket) => void): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer({ allowHalfOpen: false }, onConnection);
    server.once("error", reject);
    server.listen(file, () => {
      server.off("error", reject);
      chmodSync(file, 0o777);
      resolve(server);
    });
  });
}

export async function startNetworkService(plan: NetworkPlan, monitor: NetworkMonitor, log: Logger): Promise<NetworkService> {
  const dir = mkdtempSync(path.join(os.tmpdir(), PREFIX));
  chmodSync(dir, 0o755);
  writeFileSync(path.join(dir, FORWARDER_FILE), FORWARDER_SOURCE, { mode: 0o644 });
  writeFileSync(path.join(dir, PRELOAD_FILE), PRELOAD_SOURCE, { mode: 0o644 });
  const proxy: Proxy = createProxy({ rules: plan.rules, monitor, log, resolve: plan.resolve });
  const gateway: Gateway | undefined = plan.gateway ? createGateway({ route: plan.gateway, monitor, log, insidePort: GATEWAY_PORT, upstreamCa: plan.upstreamCa }) : undefined;
  const servers: net.Server[] = [];
  const proxySocket = path.join(dir, "proxy.sock");
  const gatewaySocket = gateway ? path.join(dir, "gateway.sock") : undefined;
  try {
    servers.push(await listen(proxySocket, (socket) => proxy.handle(socket)));
    if (gateway && gatewaySocket) servers.push(await listen(gatewaySocket, (socket) => gateway.handle(socket)));
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  let closed: Promise<void> | undefined;
  return {
    dir,
    proxySocket,
    gatewaySocket,
    monitor,
    plan,
    close: () => {
      closed ??= (async () => {
        proxy.close();
        gateway?.close();
        await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
        rmSync(dir, { recursive: true, force: true });
      })();
      return closed;
    },
  };
}
