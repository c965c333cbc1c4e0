// One Docker client for the process (dockerode; DOCKER_HOST honoured), and errors described for people.
import { createRequire } from "node:module";
import type Docker from "dockerode";

let shared: Docker | undefined;

/**
 * The Docker client. No API version is pinned: unversioned requests let the daemon answer with the
 * newest version it speaks, so an old daemon (20.10) and a new client work together.
 *
 * dockerode (with ssh2 and the gRPC stack it pulls in) is loaded on first use: a bridge on bwrap or
 * local never pays the 200–300 ms it takes to load. It is CommonJS, so a plain require loads it in place.
 */
export function dockerClient(): Docker {
  if (!shared) {
    const Dockerode = createRequire(import.meta.url)("dockerode") as typeof Docker;
    shared = new Dockerode();
  }
  return shared;
}

/** Where the client talks to, for messages: DOCKER_HOST or the default socket. */
export function daemonAddress(env: NodeJS.ProcessEnv = process.env): string {
  return env["DOCKER_HOST"] ?? "unix:///var/run/docker.sock";
}

/** A Docker API error's useful part: the daemon's own message, or the socket error's code. */
export function dockerErrorMessage(error: unknown): string {
  if (error && typeof error === "object") {
    const e = error as { json?: { message?: string }; reason?: string; statusCode?: number; code?: string; message?: string };
    if (e.json?.message) return e.json.message;
    if (e.code && e.message) return e.message;
    if (e.reason && e.statusCode) return `${e.reason} (HTTP ${e.statusCode})`;
    if (e.message) return e.message;
  }
  return String(error);
}

/** HTTP 404 from the daemon (no such container, image or exec). */
export function isNotFound(error: unknown): boolean {
  return !!error && typeof error === "object" && (error as { statusCode?: number }).statusCode === 404;
}

/** HTTP 409 (conflict: removal already in progress, name in use). */
export function isConflict(error: unknown): boolean {
  return !!error && typeof error === "object" && (error as { statusCode?: number }).statusCode === 409;
}

/** Reads a JSON-lines progress stream (pull, import) to its end; rejects on an `error` entry. */
export async function drainProgress(docker: Docker, stream: NodeJS.ReadableStream, onEvent: (event: ProgressEvent) => void = () => {}): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (error: unknown, events: ProgressEvent[]) => {
        const failed = error ?? events.find((event) => event.error)?.error;
        if (failed) reject(new Error(typeof failed === "string" ? failed : dockerErrorMessage(failed)));
        else resolve();
      },
      onEvent,
    );
  });
}

export interface ProgressEvent {
  readonly status?: string;
  readonly id?: string;
  readonly progress?: string;
  readonly error?: string;
}
