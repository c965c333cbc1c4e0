// The command that puts a process into the sandbox's cgroup before bwrap starts: built as data, run by /bin/sh.
/**
 * `/bin/sh -c SCRIPT acp-sandbox-cgroup <procs files…> -- <command> <args…>`: the shell writes its own
 * pid into each cgroup.procs file, then execs the command, so bwrap and everything under it are
 * counted from their first instruction. A file it cannot write ends it with 125 before anything runs.
 */
export const JOIN_SCRIPT =
  'while [ "$1" != -- ]; do echo $$ > "$1" || { echo "acp-sandbox: cannot join the sandbox cgroup ($1)" >&2; exit 125; }; shift; done; shift; exec "$@"';

export function joinCgroup(procsFiles: readonly string[], command: string, args: readonly string[]): { command: string; args: string[] } {
  if (procsFiles.length === 0) return { command, args: [...args] };
  return { command: "/bin/sh", args: ["-c", JOIN_SCRIPT, "acp-sandbox-cgroup", ...procsFiles, "--", command, ...args] };
}
