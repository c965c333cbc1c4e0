// Last line of defence against orphans: every process group we start is killed when the bridge exits.
const groups = new Set<number>();
let installed = false;

function killAll(): void {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  groups.clear();
}

/** Remember a process group so that it dies with the bridge, whatever way the bridge goes. */
export function trackGroup(pgid: number): () => void {
  if (!installed) {
    installed = true;
    process.on("exit", killAll);
  }
  groups.add(pgid);
  return () => groups.delete(pgid);
}
