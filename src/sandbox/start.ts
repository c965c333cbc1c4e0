// Starts the session's sandbox: notices, the provider's choice, preparation, and the isolation requirement.
import path from "node:path";
import { SandboxUnavailableError } from "../errors.js";
import { withAgentState } from "./agent-state.js";
import { sandboxHome } from "./home.js";
import type { Logger } from "../log/logger.js";
import type { SandboxSettings } from "./options.js";
import { chooseProvider, type ProviderOptions } from "./registry.js";
import type { Sandbox, SandboxChoice } from "./types.js";

/**
 * Chooses (or checks) the backend, prepares the sandbox and, with --require-isolation, refuses one
 * that does not hide the host. `extra` adds provider options others own (copy mode's hooks).
 */
export async function startSandbox(choice: SandboxChoice, settings: SandboxSettings, log: Logger, signal?: AbortSignal, extra: ProviderOptions = {}): Promise<Sandbox> {
  for (const notice of settings.notices) log.info(notice);
  const options: ProviderOptions = { ...settings.providerOptions, ...extra, log, requireIsolation: settings.requireIsolation };
  const provider = await chooseProvider(choice, options, log, signal);
  let spec = settings.spec;
  if (provider.name !== "local") {
    for (const notice of settings.isolatedNotices) log.info(notice);
    spec = { ...spec, env: { ...spec.env, ...settings.presetEnv } };
    if (settings.agentState) {
      const home = sandboxHome(spec);
      spec = withAgentState(spec, settings.agentState, home);
      log.info(`agent state: ${settings.agentState.agent}'s history and login in ${settings.agentState.hostPath} (${path.posix.join(home, settings.agentState.homeDir)} inside; --agent-state none for none)`);
    }
  }
  const sandbox = await provider.prepare(spec, signal);
  if (settings.requireIsolation && !sandbox.capabilities.filesystemIsolation) {
    await sandbox.destroy();
    throw new SandboxUnavailableError(`--require-isolation: the ${sandbox.capabilities.backend} sandbox does not hide the host`, "pass --sandbox bwrap or --sandbox docker");
  }
  return sandbox;
}
