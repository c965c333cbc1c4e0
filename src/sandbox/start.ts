// Starts the session's sandbox: notices, the provider's choice, preparation, and the isolation requirement.
import { SandboxUnavailableError } from "../errors.js";
import type { Logger } from "../log/logger.js";
import type { EarlyProvider } from "./early.js";
import type { SandboxSettings } from "./options.js";
import { chooseProvider, type ProviderOptions } from "./registry.js";
import type { Sandbox, SandboxChoice } from "./types.js";

/**
 * Chooses (or checks) the backend, prepares the sandbox and, with --require-isolation, refuses one
 * that does not hide the host. `extra` adds provider options others own (copy mode's hooks). `early`: the
 * provider already chosen and probed since the bridge was spawned (src/sandbox/early.ts), made with the same options.
 */
export async function startSandbox(choice: SandboxChoice, settings: SandboxSettings, log: Logger, signal?: AbortSignal, extra: ProviderOptions = {}, early?: EarlyProvider): Promise<Sandbox> {
  for (const notice of settings.notices) log.info(notice);
  const options: ProviderOptions = { ...settings.providerOptions, ...extra, log, requireIsolation: settings.requireIsolation };
  const provider = await (early?.provider ?? chooseProvider(choice, options, log, signal));
  const sandbox = await provider.prepare(settings.spec, signal);
  if (settings.requireIsolation && !sandbox.capabilities.filesystemIsolation) {
    await sandbox.destroy();
    throw new SandboxUnavailableError(`--require-isolation: the ${sandbox.capabilities.backend} sandbox does not hide the host`, "pass --sandbox bwrap or --sandbox docker");
  }
  return sandbox;
}
