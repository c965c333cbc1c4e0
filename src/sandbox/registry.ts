// The provider registry: names to providers, and `auto`'s choice of the strongest one that works here.
import { SandboxUnavailableError } from "../errors.js";
import type { Logger } from "../log/logger.js";
import type { ProbeResult, SandboxBackend, SandboxChoice, SandboxProvider } from "./types.js";

/**
 * Options each provider may need, resolved from flags and the config file (src/sandbox/options.ts):
 * `log`, `agent` (the agent's plan), `mountReasons`, `image`, `runtime`, `persist`, `copyMode`, and
 * `requireIsolation`, which keeps `auto` from ever settling for local.
 */
export interface ProviderOptions {
  readonly [key: string]: unknown;
}

type Factory = (options: ProviderOptions) => Promise<SandboxProvider>;

// Each provider's module loads when that provider is asked for: a bridge on bwrap never loads the Docker
// client and its dependencies, which would cost a good part of its start.
const factories = new Map<SandboxBackend, Factory>([
  ["bwrap", async (options) => {
    const { bwrapProviderOptions, createBwrapProvider } = await import("./bwrap/provider.js");
    return createBwrapProvider(bwrapProviderOptions(options));
  }],
  ["docker", async (options) => {
    const { createDockerProvider, dockerProviderOptions } = await import("./docker/provider.js");
    return createDockerProvider(dockerProviderOptions(options));
  }],
  ["local", async () => (await import("./local/provider.js")).createLocalProvider()],
]);

/** `auto` tries these in order and takes the first that works. */
export const AUTO_ORDER: readonly SandboxBackend[] = ["bwrap", "docker", "local"];

export function registerProvider(name: SandboxBackend, factory: Factory): void {
  factories.set(name, factory);
}

export async function providerFor(name: SandboxBackend, options: ProviderOptions = {}): Promise<SandboxProvider> {
  const factory = factories.get(name);
  if (!factory) throw new SandboxUnavailableError(`the ${name} sandbox is not available in this build`);
  return factory(options);
}

export function knownBackends(): SandboxBackend[] {
  return AUTO_ORDER.filter((name) => factories.has(name));
}

export async function probeAll(options: ProviderOptions = {}, signal?: AbortSignal): Promise<ProbeResult[]> {
  return Promise.all(knownBackends().map(async (name) => (await providerFor(name, options)).probe(signal)));
}

/** Resolves `auto` (or checks an explicit choice) and says on stderr what was picked and why. */
export async function chooseProvider(choice: SandboxChoice, options: ProviderOptions, log: Logger, signal?: AbortSignal): Promise<SandboxProvider> {
  const requireIsolation = options["requireIsolation"] === true;
  if (requireIsolation && choice === "local") {
    throw new SandboxUnavailableError("--require-isolation: the local sandbox has no isolation", "pass --sandbox bwrap or --sandbox docker (see acp-sandbox doctor)");
  }
  if (choice !== "auto") {
    const provider = await providerFor(choice, options);
    const probe = await provider.probe(signal);
    if (!probe.available) throw new SandboxUnavailableError(`the ${choice} sandbox cannot run here: ${probe.detail}`, probe.fix);
    log.info(`sandbox: ${choice} (${probe.detail})`);
    return provider;
  }
  const skipped: string[] = [];
  for (const name of knownBackends()) {
    const provider = await providerFor(name, options);
    const probe = await provider.probe(signal);
    if (!probe.available) {
      skipped.push(`${name}: ${probe.detail}`);
      continue;
    }
    if (name === "local" && requireIsolation) {
      throw new SandboxUnavailableError(`--require-isolation: no isolating sandbox works here (${skipped.join("; ")})`, "see acp-sandbox doctor for the fix");
    }
    if (name === "local") {
      log.warn(
        `sandbox: local — NO ISOLATION: the agent runs as a plain host process with your files, secrets and network` +
          (skipped.length ? ` (${skipped.join("; ")})` : ""),
      );
    } else {
      log.info(`sandbox: ${name} (auto: ${probe.detail})`);
    }
    return provider;
  }
  throw new SandboxUnavailableError(`no sandbox backend works here (${skipped.join("; ")})`);
}
