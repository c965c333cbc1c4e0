// Rebuilds the sandbox's environment from nothing: an allowlist, a blocklist that wins, then what is added.
export interface EnvPolicy {
  /** Names or globs (`LC_*`) copied from the bridge's environment. */
  readonly allow: readonly string[];
  /** Names or globs never copied, even when allowed or passed; wins over everything but `set`. */
  readonly deny: readonly string[];
  /** Names passed through by name on purpose (secrets the agent needs), unless denied explicitly. */
  readonly pass: readonly string[];
  /** Fixed values (HOME inside the sandbox, PATH). */
  readonly set: Readonly<Record<string, string>>;
}

export const DEFAULT_ALLOW = ["LANG", "LANGUAGE", "LC_*", "TERM", "TZ", "COLORTERM", "NO_COLOR", "FORCE_COLOR", "PATH", "USER", "LOGNAME", "SHELL"];
export const DEFAULT_DENY = ["*_TOKEN", "*_TOKEN_*", "*SECRET*", "*_KEY", "*_KEY_*", "*PASSWORD*", "*PASSWD*", "*CREDENTIAL*", "AWS_*", "GITHUB_*", "GH_*", "SSH_AUTH_SOCK", "DOCKER_*", "NPM_TOKEN", "KUBECONFIG"];

function globToRegExp(glob: string): RegExp {
  return new RegExp("^" + glob.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*") + "$");
}

export function matchesAny(name: string, globs: readonly string[]): boolean {
  return globs.some((glob) => globToRegExp(glob).test(name));
}

/** The environment a sandboxed process gets; `source` is the bridge's own environment. */
export function buildEnv(source: Readonly<Record<string, string | undefined>>, policy: EnvPolicy): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined) continue;
    if (matchesAny(name, policy.allow) && !matchesAny(name, policy.deny)) out[name] = value;
  }
  for (const name of policy.pass) {
    const value = source[name];
    if (value !== undefined && !policy.deny.includes(name)) out[name] = value;
  }
  return { ...out, ...policy.set };
}

/** Values of the bridge's environment that look secret: redacted wherever they appear in traces. */
export function secretValues(source: Readonly<Record<string, string | undefined>>, deny: readonly string[] = DEFAULT_DENY): string[] {
  return Object.entries(source)
    .filter(([name, value]) => value !== undefined && value.length >= 6 && matchesAny(name, deny))
    .map(([, value]) => value as string);
}
