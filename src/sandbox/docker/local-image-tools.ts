// What the locally built image takes from the host besides node: the tools an agent's shell reaches for, and libraries.

/**
 * Programs copied from the host (each with its shared libraries) when the host has them: a POSIX shell
 * and bash, `env` for `#!/usr/bin/env node` scripts, coreutils, the text tools, archives, git. Busybox
 * fills in whatever the host lacks.
 */
export const HOST_TOOLS: readonly string[] = [
  // shells and the program `#!/usr/bin/env` scripts need
  "sh", "bash", "dash", "env",
  // coreutils
  "ls", "cat", "cp", "mv", "rm", "ln", "mkdir", "rmdir", "chmod", "touch", "head", "tail", "wc", "sort", "uniq",
  "cut", "tr", "tee", "date", "dirname", "basename", "realpath", "readlink", "stat", "mktemp", "printf", "echo",
  "test", "[", "true", "false", "sleep", "id", "whoami", "uname", "pwd", "du", "df", "nproc", "seq", "yes", "expr",
  "od", "comm", "paste", "split", "md5sum", "sha1sum", "sha256sum", "base64", "timeout", "nl", "fold", "tac",
  "install", "kill", "hostname", "which",
  // text, search and archives
  "grep", "egrep", "fgrep", "sed", "awk", "find", "xargs", "diff", "cmp", "patch", "tar", "gzip", "gunzip", "zcat",
  "xz", "bzip2", "less", "rg", "fd", "jq", "tree",
  // version control
  "git",
];

/**
 * Libraries the prebuilt native binaries of npm-installed agents load (Claude Code's binary needs librt;
 * codex-acp's needs libssl and libcrypto), added whenever the host has them.
 */
export const AGENT_LIBRARIES: readonly string[] = [
  "libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1", "libutil.so.1", "libresolv.so.2",
  "libgcc_s.so.1", "libstdc++.so.6", "libz.so.1", "libssl.so.3", "libcrypto.so.3",
];

/** Git's helper programs and templates (`git-core`), where Debian and most distributions keep them. */
export const GIT_DIRS = { exec: ["/usr/lib/git-core", "/usr/libexec/git-core"], templates: ["/usr/share/git-core/templates"] } as const;

/** git-core helpers left out: they speak to remote hosts over libcurl (a large closure) or mail. */
export const GIT_SKIPPED = /^git-(remote-(https?|ftps?)|http-|imap-send|send-email|instaweb|cvs|svn|p4|archimport)/;

/** Certificate bundles, for agents whose binaries use the system's trust store. */
export const CA_BUNDLES: readonly string[] = ["/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt"];
