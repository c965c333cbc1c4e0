// Starts the session's sandbox: notices, the provider's choice, agent state, the network's host side, preparation, the isolation requirement.
import path from "node:path";
import { SandboxUnavailableError, UsageError } from "../errors.js";
import { withAgentState } from "./agent-state.js";
import { sandboxHome } from "./home.js";
import type { Logger } from "../log/logger.js";
import { NetworkMonitor } from "../network/events.js";
import { reportNetwork } from "../network/report.js";
import type { NetworkService } from "../network/service.js";
import type { EarlyProvider } from "./early.js";
import type { SandboxSettings } from "./options.js";
import { chooseProvider, type ProviderOptions } from "./registry.js";
import type { Sandbox, SandboxChoice, SandboxSpec } from "./types.js";

/**
 * Chooses (or checks) the backend, prepares the sandbox and, with --require-isolation, refuses one
 * that does not hide the host. `extra` adds provider options others own (copy mode's hooks) and the
 * `networkMonitor` that hears every connection the proxy allows or denies. `early`: the provider already chosen
 * and probed since the bridge was spawned (src/sandbox/early.ts), made with the same options.
 */
export async function startSandbox(choice: SandboxChoice, settings: SandboxSettings, log: Logger, signal?: AbortSignal, extra: ProviderOptions = {}, early?: EarlyProvider): Promise<Sandbox> {
  for (const notice of settings.notices) log.info(notice);
  const options: ProviderOptions = { ...settings.providerOptions, ...extra, log, requireIsolation: settings.requireIsolation };
  const provider = await (early?.provider ?? chooseProvider(choice, options, log, signal));
  let spec: SandboxSpec = settings.spec;
  if (provider.name === "local" && spec.network === "allow") {
    if (settings.networkExplicit) {
      throw new UsageError("--network allow cannot be enforced by the local sandbox (the agent is a plain host process: it reaches every host and sees its keys); install bubblewrap or Docker, or pass --network open");
    }
    log.warn("network: the local sandbox cannot enforce --network allow; the agent has the host's whole network and its keys in its environment");
    spec = settings.unenforcedSpec ?? { ...spec, network: "open" };
  }
  if (provider.name !== "local") {
    for (const notice of settings.isolatedNotices) log.info(notice);
    spec = { ...spec, env: { ...spec.env, ...settings.presetEnv } };
    if (settings.agentState) {
      const home = sandboxHome(spec);
      spec = withAgentState(spec, settings.agentState, home);
      log.info(`agent state: ${settings.agentState.agent}'s history and login in ${settings.agentState.hostPath} (${path.posix.join(home, settings.agentState.homeDir)} inside; --agent-state none for none)`);
    }
  }
  let network: NetworkService | undefined;
  if (spec.network === "allow" && settings.network) {
    const monitor = extra["networkMonitor"] instanceof NetworkMonitor ? extra["networkMonitor"] : new NetworkMonitor();
    // Loaded only for `allow`: a session without it never loads the proxy, the gateway and their TLS client.
    const { startNetworkService } = await import("../network/service.js");
    network = await startNetworkService(settings.network, monitor, log);
    reportNetwork(monitor, log);
  }
  let sandbox: Sandbox;
  try {
    sandbox = await provider.prepare(spec, signal, network ? { network } : undefined);
  } catch (error) {
    await network?.close();
    throw error;
  }
  if (network) {
    const destroy = sandbox.destroy.bind(sandbox);
    const service = network;
    let closing: Promise<void> | undefined;
    const destroyBoth = (): Promise<void> => {
      closing ??= (async () => {
        try {
          await destroy();
        } finally {
          log.info(reportNetwork.summary(service.monitor));
          await service.close();
        }
      })();
      return closing;
    };
    sandbox = Object.assign(sandbox, { destroy: destroyBoth, [Symbol.asyncDispose]: destroyBoth });
  }
  if (settings.requireIsolation && !sandbox.capabilities.filesystemIsolation) {
    await sandbox.destroy();
    throw new SandboxUnavailableError(`--require-isolation: the ${sandbox.capabilities.backend} sandbox does not hide the host`, "pass --sandbox bwrap or --sandbox docker");
  }
  return sandbox;
}
