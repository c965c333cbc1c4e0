// Opens a peer with an initialized ACP session, and closes it recording the peak memory it reached.
import type { PeerCommand } from "./commands.js";
import type { BenchContext } from "./context.js";
import { Peer } from "./peer.js";

export interface OpenSession {
  readonly peer: Peer;
  readonly sessionId: string;
}

export async function openSession(command: PeerCommand, context: BenchContext): Promise<OpenSession> {
  const peer = new Peer(command, { cwd: context.workspace, watchMemory: true });
  try {
    await peer.initialize();
    return { peer, sessionId: await peer.newSession(context.workspace) };
  } catch (error) {
    await peer.close(2_000);
    throw Object.assign(error instanceof Error ? error : new Error(String(error)), { peer });
  }
}

/** Closes the peer; its peak memory goes to the log under `during`. */
export async function closeSession(session: OpenSession | undefined, context: BenchContext, during: string): Promise<void> {
  if (!session) return;
  context.rss.record(session.peer.command.role, during, session.peer.stopWatch());
  await session.peer.close();
}
