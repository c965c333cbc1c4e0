// The command lines the bench starts, as data: the agent alone (the direct baseline) or behind the built bridge.
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "..", "..");
/** The bundled command users run (package.json "bin"). */
export const BRIDGE = path.join(ROOT, "dist", "bundle", "acp-sandbox.js");
export const AGENT = path.join(ROOT, "dist", "fixtures", "agent", "scripted-agent.js");

export interface PeerCommand {
  /** Short name for tables and logs: direct, local, bwrap, docker … */
  readonly label: string;
  readonly role: "bridge" | "direct-agent";
  readonly command: string;
  readonly args: readonly string[];
}

/** The scripted agent, spoken to straight over its stdio. */
export function directAgent(node = process.execPath): PeerCommand {
  return { label: "direct", role: "direct-agent", command: node, args: [AGENT] };
}

/** The same agent behind the built bridge, in the given sandbox. */
export function bridged(sandbox: string, workspace: string, extra: readonly string[] = [], node = process.execPath): PeerCommand {
  return {
    label: sandbox,
    role: "bridge",
    command: node,
    args: [BRIDGE, "--sandbox", sandbox, "--workspace", workspace, "--log-level", "warn", ...extra, "--", node, AGENT],
  };
}
