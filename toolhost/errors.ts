// The ToolHost's failures, one class per kind; the extension turns each into the JSON-RPC error it names.
import { AcpSandboxError } from "../src/errors.js";

/** Which ACP error a ToolHost failure becomes on the wire. */
export type ToolHostErrorCode = "invalidParams" | "resourceNotFound" | "requestCancelled" | "internalError";

export abstract class ToolHostError extends AcpSandboxError {
  abstract readonly code: ToolHostErrorCode;
  /** Structured detail for the error's `data` (paths, the rule): never file contents. */
  readonly data: Record<string, string | number | boolean | null>;

  constructor(message: string, data: Record<string, string | number | boolean | null> = {}, options?: ErrorOptions) {
    super(message, options);
    this.data = data;
  }
}

/** A path the agent may not use: relative, NUL, outside the allowed roots, through a link that leads out. */
export class PathRefusedError extends ToolHostError {
  override readonly name = "PathRefusedError";
  readonly code = "invalidParams";
}

/** The file (or the terminal's cwd) does not exist. */
export class NotFoundError extends ToolHostError {
  override readonly name = "NotFoundError";
  readonly code = "resourceNotFound";
}

/** A file that cannot be served as text: binary, too large, not a regular file. */
export class FileContentError extends ToolHostError {
  override readonly name = "FileContentError";
  readonly code = "invalidParams";
}

/** The permission policy (a rule, a protected path, the editor's answer) refused the operation. */
export class PolicyDeniedError extends ToolHostError {
  override readonly name = "PolicyDeniedError";
  readonly code = "invalidParams";
}

/** The permission prompt was cancelled (the turn was cancelled, or the bridge is stopping). */
export class PromptCancelledError extends ToolHostError {
  override readonly name = "PromptCancelledError";
  readonly code = "requestCancelled";
}

/** Malformed request parameters (a missing field, a wrong type). */
export class BadParamsError extends ToolHostError {
  override readonly name = "BadParamsError";
  readonly code = "invalidParams";
}

/** An unknown (or released) terminal id, or an unknown session. */
export class UnknownIdError extends ToolHostError {
  override readonly name = "UnknownIdError";
  readonly code = "resourceNotFound";
}

/** The cap on open terminals is reached. */
export class TerminalLimitError extends ToolHostError {
  override readonly name = "TerminalLimitError";
  readonly code = "invalidParams";
}

/** The command could not be started inside the sandbox. */
export class TerminalStartError extends ToolHostError {
  override readonly name = "TerminalStartError";
  readonly code = "internalError";
}

/** An I/O failure the agent cannot fix by changing its request (disk full, EIO). */
export class FileIoError extends ToolHostError {
  override readonly name = "FileIoError";
  readonly code = "internalError";
}
