// Resolves checkpoint settings once: `--checkpoints` over the user's configuration file over the defaults.
import { defaultStateDir } from "../sync/baseline.js";
import type { CheckpointsSection } from "./config-schema.js";
import { DEFAULT_LIMITS, type Limits } from "./retention.js";

export interface CheckpointConfig {
  readonly enabled: boolean;
  readonly limits: Limits;
  /** `$XDG_STATE_HOME/acp-sandbox`: checkpoints live under its `checkpoints/`. */
  readonly stateDir: string;
}

type Values = Readonly<Record<string, string | boolean | string[] | undefined>>;

export function resolveCheckpointConfig(values: Values, env: NodeJS.ProcessEnv, section: CheckpointsSection | undefined): CheckpointConfig {
  const flag = values["checkpoints"];
  return {
    enabled: flag === "off" ? false : flag === "on" ? true : (section?.enabled ?? true),
    limits: { keep: section?.keep ?? DEFAULT_LIMITS.keep, maxBytes: section?.maxBytes ?? DEFAULT_LIMITS.maxBytes },
    stateDir: defaultStateDir(env),
  };
}
