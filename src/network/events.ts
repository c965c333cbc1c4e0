// What the proxy and the gateway report: each connection allowed or denied, counted per host for the summary.
export interface NetworkEvent {
  readonly kind: "allowed" | "denied";
  /** `CONNECT`, an HTTP method (absolute-form), or `GATEWAY`. */
  readonly method: string;
  readonly host: string;
  readonly port: number;
  /** Why it was denied, naming the rule. */
  readonly reason?: string;
  /** The entry that allowed it, or the gateway's preset. */
  readonly rule?: string;
  /** The pattern to pass with --allow-host to allow it, when one would. */
  readonly fix?: string;
}

export interface HostCount {
  readonly host: string;
  readonly allowed: number;
  readonly denied: number;
}

/** Fans events out to listeners (stderr, the editor, `run --json`) and keeps the per-host counts. */
export class NetworkMonitor {
  readonly #listeners: Array<(event: NetworkEvent) => void> = [];
  readonly #counts = new Map<string, { allowed: number; denied: number }>();

  on(listener: (event: NetworkEvent) => void): () => void {
    this.#listeners.push(listener);
    return () => {
      const i = this.#listeners.indexOf(listener);
      if (i !== -1) this.#listeners.splice(i, 1);
    };
  }

  emit(event: NetworkEvent): void {
    const key = `${event.host}:${event.port}`;
    const count = this.#counts.get(key) ?? { allowed: 0, denied: 0 };
    count[event.kind] += 1;
    this.#counts.set(key, count);
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch {
        // a listener's failure is not the proxy's
      }
    }
  }

  counts(): HostCount[] {
    return [...this.#counts].map(([host, c]) => ({ host, ...c })).sort((a, b) => a.host.localeCompare(b.host));
  }
}

/** The stderr line for one event (denials at info, allowed connections at debug). */
export function formatEvent(event: NetworkEvent): string {
  const target = `${event.method} ${event.host}:${event.port}`;
  if (event.kind === "allowed") return `network: ${target} allowed${event.rule ? ` (${event.rule})` : ""}`;
  return `network: ${target} denied (${event.reason ?? "denied"})${event.fix ? `; allow it with --allow-host ${event.fix}` : ""}`;
}

/** The session-end summary: connections and denials per host. */
export function formatSummary(counts: readonly HostCount[]): string {
  if (counts.length === 0) return "network: no connections";
  return "network: " + counts.map((c) => `${c.host} ${c.allowed} allowed${c.denied ? `, ${c.denied} denied` : ""}`).join("; ");
}
