// Leveled logging to stderr, never stdout: stdout belongs to the protocol.
export const LOG_LEVELS = ["silent", "error", "warn", "info", "debug"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Logger {
  readonly level: LogLevel;
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
  /** Lines from the agent's stderr, passed through unless silent. */
  agent(line: string): void;
}

const rank: Record<LogLevel, number> = { silent: 0, error: 1, warn: 2, info: 3, debug: 4 };

export function createLogger(level: LogLevel, write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  const at = (wanted: LogLevel, prefix: string) => (message: string) => {
    if (rank[level] >= rank[wanted]) write(`acp-sandbox: ${prefix}${message}\n`);
  };
  return {
    level,
    error: at("error", "error: "),
    warn: at("warn", "warning: "),
    info: at("info", ""),
    debug: at("debug", "debug: "),
    agent: (line) => {
      if (rank[level] >= rank.error) write(`[agent] ${line}\n`);
    },
  };
}

/** Points every console method at stderr before anything else runs. */
export function guardStdout(): void {
  const toStderr = (...args: unknown[]) => {
    process.stderr.write(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" ") + "\n");
  };
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;
  console.warn = toStderr;
  console.error = toStderr;
  console.trace = toStderr;
}
