// One error type per failure kind, each with a message a person can act on.

/** Base class: `message` is one line a person can act on; `cause` keeps the original. */
export class AcpSandboxError extends Error {
  override readonly name: string = "AcpSandboxError";
}

/** Bad command line: the CLI prints the message and the usage, exit code 2. */
export class UsageError extends AcpSandboxError {
  override readonly name = "UsageError";
}

/** An invalid or unreadable configuration file: refused, never replaced by defaults. */
export class ConfigError extends AcpSandboxError {
  override readonly name = "ConfigError";
}

/** The agent could not be started: not found, not executable, exited at once. */
export class LaunchError extends AcpSandboxError {
  override readonly name = "LaunchError";
}

/** A sandbox backend cannot run here; `fix` says what to do about it. */
export class SandboxUnavailableError extends AcpSandboxError {
  override readonly name = "SandboxUnavailableError";
  constructor(
    message: string,
    readonly fix?: string,
    options?: ErrorOptions,
  ) {
    super(fix ? `${message}; ${fix}` : message, options);
  }
}

/** No pseudo-terminal can be had; callers fall back to pipes. */
export class PtyUnavailableError extends AcpSandboxError {
  override readonly name = "PtyUnavailableError";
}

/** Workspace sync (copy mode) could not move files between the host and the runtime. */
export class SyncError extends AcpSandboxError {
  override readonly name = "SyncError";
}

/** A checkpoint could not be taken, or a rollback cannot be done as asked (unknown id, damaged store, conflicts). */
export class CheckpointError extends AcpSandboxError {
  override readonly name = "CheckpointError";
  /** unknown-id: no such checkpoint; busy: a turn is running; damaged: the store lost data; write: the disk refused. */
  readonly kind: "unknown-id" | "busy" | "damaged" | "write" | "empty";
  constructor(message: string, options: ErrorOptions & { kind?: CheckpointError["kind"] } = {}) {
    super(message, options);
    this.kind = options.kind ?? "write";
  }
}

export function unreachable(value: never): never {
  throw new Error(`unreachable: ${JSON.stringify(value)}`);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
