// The contract every sandbox provider implements: prepare, launch, exec, files, capabilities, destroy.
import type { Readable, Writable } from "node:stream";
import type { PathMap } from "./path-map.js";

export type SandboxBackend = "local" | "bwrap" | "docker";
export type SandboxChoice = SandboxBackend | "auto";
/** none: no network; allow: the allowlisting proxy (and the credential gateway) only; open: the host's network. */
export type NetworkPolicy = "none" | "allow" | "open";

/** What a provider guarantees. `local` guarantees nothing and says so. */
export interface SandboxCapabilities {
  readonly backend: SandboxBackend;
  /** A short word for people and `_meta`: none, namespaces, container, gvisor. */
  readonly isolation: "none" | "namespaces" | "container" | "gvisor";
  /** The rest of the host filesystem (HOME, /root, secrets) is invisible inside. */
  readonly filesystemIsolation: boolean;
  /** The network policy is enforced (not merely requested). */
  readonly networkEnforcement: boolean;
  /** The network modes this backend can enforce (local: none of them). */
  readonly networkModes?: readonly NetworkPolicy[];
  /** pids / memory / CPU limits are applied. */
  readonly processLimits: boolean;
  readonly pause: boolean;
  readonly snapshot: boolean;
  /** The sandbox shares the workspace with the host (bind mount or the host itself). */
  readonly sharesWorkspace: boolean;
}

/** A directory beyond the workspace that the sandbox may see. */
export interface ExtraDirectory {
  readonly hostPath: string;
  readonly runtimePath: string;
  readonly writable: boolean;
}

export interface ResourceLimits {
  readonly pids?: number;
  readonly memoryBytes?: number;
  readonly cpus?: number;
  /** Size of the sandbox's /tmp (a tmpfs). */
  readonly tmpBytes?: number;
}

/** The resolved, validated description of one sandbox: data only, built once at the edge. */
export interface SandboxSpec {
  /** Host workspace, absolute and resolved (realpath). */
  readonly workspace: string;
  /** Where the workspace appears inside the runtime; the same path by default. */
  readonly runtimeRoot: string;
  readonly extraDirectories: readonly ExtraDirectory[];
  /** The sandbox's environment, already rebuilt from the allowlist/blocklist. Never the bridge's own. */
  readonly env: Readonly<Record<string, string>>;
  readonly network: NetworkPolicy;
  readonly limits: ResourceLimits;
  /** Labels for containers and logs: the bridge's session, the workspace. */
  readonly label: string;
}

/** Why the sandbox ended the agent: `out of memory (limit 256 MiB)`; `killed` when the sandbox itself died. */
export interface SandboxDeath {
  readonly reason: string;
  readonly killed: boolean;
}

export interface ExitStatus {
  readonly exitCode: number | null;
  readonly signal: string | null;
}

export interface ProcessSpec {
  readonly command: string;
  readonly args: readonly string[];
  /** Runtime path. Defaults to the runtime root. */
  readonly cwd?: string;
  /** Added on top of the sandbox's environment. */
  readonly env?: Readonly<Record<string, string>>;
}

/** A process with stdio pipes: the agent, or a terminal where no PTY can be had. */
export interface PipedProcess extends AsyncDisposable {
  readonly pid: number | undefined;
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  readonly exited: Promise<ExitStatus>;
  /** Signals the whole process group (or container exec), escalating is the caller's job. */
  kill(signal?: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  terminate(graceMs?: number): Promise<ExitStatus>;
}

/** A process in a pseudo-terminal: one merged output stream. */
export interface TtyProcess extends AsyncDisposable {
  readonly pid: number | undefined;
  readonly exited: Promise<ExitStatus>;
  onData(listener: (chunk: string) => void): void;
  write(data: string): void;
  resize(cols: number, rows: number): void;
  kill(signal?: NodeJS.Signals): void;
  terminate(graceMs?: number): Promise<ExitStatus>;
}

export interface TtyOptions {
  readonly cols: number;
  readonly rows: number;
}

export interface FileStat {
  readonly type: "file" | "directory" | "symlink" | "other";
  readonly size: number;
  readonly mode: number;
}

/**
 * The runtime's view of files, for sandboxes that do not share the workspace with the host
 * (copy mode). Paths are runtime paths. Bind-mounted sandboxes return `undefined` from `files`
 * and the ToolHost works on the host paths directly.
 */
export interface RuntimeFiles {
  readFile(runtimePath: string): Promise<Buffer>;
  writeFile(runtimePath: string, data: Buffer, options?: { mode?: number }): Promise<void>;
  stat(runtimePath: string): Promise<FileStat | undefined>;
  realpath(runtimePath: string): Promise<string>;
}

export interface Sandbox extends AsyncDisposable {
  readonly capabilities: SandboxCapabilities;
  readonly spec: SandboxSpec;
  readonly pathMap: PathMap;
  /** The agent process, stdio pipes, stdout pure protocol. */
  launch(process: ProcessSpec): Promise<PipedProcess>;
  /** A further process in the same isolation (terminals). */
  exec(process: ProcessSpec): Promise<PipedProcess>;
  /** A further process in a pseudo-terminal; throws PtyUnavailableError where none can be had. */
  execTty(process: ProcessSpec, tty: TtyOptions): Promise<TtyProcess>;
  readonly files: RuntimeFiles | undefined;
  /** Host paths of protected entries mounted read-only inside (changes there came from the host). */
  readonly protectedReadOnly?: readonly string[] | undefined;
  /**
   * After the agent exited: why the sandbox ended it, if it did (a limit hit, the container or gVisor
   * gone). A provider whose sandbox dies makes every process's `exited` resolve within 2 s.
   */
  explainExit?(status: ExitStatus): Promise<SandboxDeath | undefined>;
  /** Stops every process and removes what the sandbox created, unless kept for reuse. Idempotent. */
  destroy(): Promise<void>;
}

export interface ProbeResult {
  readonly backend: SandboxBackend;
  readonly available: boolean;
  /** Why not, when unavailable; what was found, when available. */
  readonly detail: string;
  /** What to do about it. */
  readonly fix?: string;
}

/** The host side of `network: "allow"`: a directory with the proxy's and the gateway's unix sockets, the forwarder and the preload. */
export interface NetworkChannel {
  readonly dir: string;
  readonly proxySocket: string;
  readonly gatewaySocket: string | undefined;
}

/** What a sandbox is given beyond its spec when it is prepared. */
export interface PrepareExtras {
  readonly network?: NetworkChannel | undefined;
}

export interface SandboxProvider {
  readonly name: SandboxBackend;
  /** Cheap check whether the backend works on this machine. Never throws. */
  probe(signal?: AbortSignal): Promise<ProbeResult>;
  prepare(spec: SandboxSpec, signal?: AbortSignal, extras?: PrepareExtras): Promise<Sandbox>;
}
