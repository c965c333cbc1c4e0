// Says on stderr what the proxy and the gateway did: each denial (with the fix), each allowed connection at debug, a summary.
import type { Logger } from "../log/logger.js";
import { formatEvent, formatSummary, type NetworkMonitor } from "./events.js";

export function reportNetwork(monitor: NetworkMonitor, log: Logger): void {
  monitor.on((event) => {
    if (event.kind === "denied") log.info(formatEvent(event));
    else log.debug(formatEvent(event));
  });
}

/** The session-end line: connections and denials per host. */
reportNetwork.summary = (monitor: NetworkMonitor): string => formatSummary(monitor.counts());
