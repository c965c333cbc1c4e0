// Which resolved addresses the proxy refuses unless named exactly: loopback, link-local, metadata, private, the host's own.
import { BlockList, isIP } from "node:net";
import os from "node:os";

export type AddressClass = "loopback" | "link-local" | "metadata" | "private" | "unspecified" | "host interface" | "public";

const ranges: Array<[AddressClass, string, number, "ipv4" | "ipv6"]> = [
  ["metadata", "169.254.169.254", 32, "ipv4"],
  ["metadata", "fd00:ec2::254", 128, "ipv6"],
  ["loopback", "127.0.0.0", 8, "ipv4"],
  ["loopback", "::1", 128, "ipv6"],
  ["unspecified", "0.0.0.0", 8, "ipv4"],
  ["unspecified", "::", 128, "ipv6"],
  ["link-local", "169.254.0.0", 16, "ipv4"],
  ["link-local", "fe80::", 10, "ipv6"],
  ["private", "10.0.0.0", 8, "ipv4"],
  ["private", "172.16.0.0", 12, "ipv4"],
  ["private", "192.168.0.0", 16, "ipv4"],
  ["private", "100.64.0.0", 10, "ipv4"],
  ["private", "198.18.0.0", 15, "ipv4"],
  ["private", "fc00::", 7, "ipv6"],
  ["private", "224.0.0.0", 4, "ipv4"],
  ["private", "240.0.0.0", 4, "ipv4"],
  ["private", "ff00::", 8, "ipv6"],
];

const lists = ranges.map(([cls, net, prefix, family]) => {
  const list = new BlockList();
  list.addSubnet(net, prefix, family);
  return [cls, list] as const;
});

/** An IPv4 address mapped into IPv6 (`::ffff:127.0.0.1`) is judged as the IPv4 address it carries. */
export function unmapped(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1]! : address;
}

let cached: { at: number; addresses: Set<string> } | undefined;

/** The host's own interface addresses, read at most once a second (reading them costs more than the rest of a check). */
function hostInterfaceAddresses(now = Date.now()): Set<string> {
  if (cached && now - cached.at < 1000) return cached.addresses;
  const addresses = new Set<string>();
  for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) addresses.add(unmapped(a.address));
  cached = { at: now, addresses };
  return addresses;
}

/** The class of one resolved address; `public` is the only one the proxy dials without an exact IP entry. */
export function classifyAddress(address: string, interfaces: ReadonlySet<string> = hostInterfaceAddresses()): AddressClass {
  const ip = unmapped(address);
  const family = isIP(ip) === 6 ? "ipv6" : "ipv4";
  for (const [cls, list] of lists) if (list.check(ip, family)) return cls;
  if (interfaces.has(ip)) return "host interface";
  return "public";
}
