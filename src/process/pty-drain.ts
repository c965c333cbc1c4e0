// Keeps a PTY's slave side open until its process is gone, so its last output is read before the master hangs up.
import { closeSync, constants, openSync } from "node:fs";

/**
 * When a PTY's only process exits, Linux may drop output the master has not read yet (node-pty then sees EOF
 * early). Holding the slave open defers the hang-up until the process has been reaped (polled every `pollMs`) and
 * the master has read everything (`received`, the output count, stopped growing). Returns the release, to call at
 * the latest on exit.
 */
export function holdPtySlave(ptsName: string | undefined, pid: number, received: () => number, pollMs = 10): () => void {
  if (!ptsName) return () => {};
  let fd: number | undefined;
  try {
    fd = openSync(ptsName, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
  } catch {
    return () => {};
  }
  const release = () => {
    clearInterval(timer);
    if (fd === undefined) return;
    try {
      closeSync(fd);
    } catch {
      // closed already
    }
    fd = undefined;
  };
  // Released once the process is gone and a whole tick (one I/O poll at least) brought no more output.
  let seen = -1;
  const timer = setInterval(() => {
    const now = received();
    let gone = false;
    try {
      process.kill(pid, 0);
    } catch {
      gone = true;
    }
    if (gone && now === seen) release();
    seen = now;
  }, pollMs);
  timer.unref();
  return release;
}
