// Resolves a name once, for the proxy's check and its dial alike; tests may map names to loopback addresses.
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";

export type Resolver = (host: string) => Promise<string[]>;

/**
 * TEST ONLY: `ACP_SANDBOX_TEST_RESOLVE="name=address,..."` in the bridge's own environment makes the proxy
 * resolve those names to those addresses instead of asking DNS (the tests' stand-in API hosts live on
 * loopback). Every other name goes to DNS as usual. Nothing inside the sandbox can set it.
 */
export function testOverrides(env: Readonly<Record<string, string | undefined>>): Map<string, string> {
  const out = new Map<string, string>();
  for (const pair of (env["ACP_SANDBOX_TEST_RESOLVE"] ?? "").split(",")) {
    const [name, address] = pair.split("=");
    if (name && address && isIP(address)) out.set(name.toLowerCase(), address);
  }
  return out;
}

export function createResolver(overrides: ReadonlyMap<string, string> = new Map()): Resolver {
  return async (host) => {
    const forced = overrides.get(host.toLowerCase());
    if (forced) return [forced];
    const found = await lookup(host, { all: true, verbatim: true });
    return found.map((a) => a.address);
  };
}
