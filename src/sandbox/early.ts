// What a session's sandbox can do as soon as the bridge is spawned, before `initialize`: the flags and the config
// already name the backend, so its modules load and its probe runs while Node is still waiting for the editor.
// Nothing here starts a sandbox or leaves anything running; a client that connects and leaves costs a probe.
import type { Logger } from "../log/logger.js";
import type { SandboxSettings } from "./options.js";
import { chooseProvider, type ProviderOptions } from "./registry.js";
import type { SandboxChoice, SandboxProvider } from "./types.js";

/** The chosen, probed provider; a failure is kept for `startSandbox` to report, never thrown unhandled. */
export interface EarlyProvider {
  readonly provider: Promise<SandboxProvider>;
}

export function chooseEarly(choice: SandboxChoice, settings: SandboxSettings, log: Logger, extra: ProviderOptions = {}): EarlyProvider {
  const options: ProviderOptions = { ...settings.providerOptions, ...extra, log, requireIsolation: settings.requireIsolation };
  const provider = chooseProvider(choice, options, log);
  provider.catch(() => {});
  return { provider };
}
