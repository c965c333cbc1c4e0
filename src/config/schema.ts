// The user's configuration file: one strict top level composed of sections, each owned by its concern.
import { z } from "zod";
import { policySection } from "../policy/schema.js";
import { sandboxSection } from "../sandbox/config-schema.js";
import { syncSection } from "../sync/config-schema.js";
import { checkpointsSection } from "../checkpoints/config-schema.js";

/**
 * Each concern exports its own section schema and adds one key here. The top level stays strict, so a typo in a
 * section name is an error, never silently ignored.
 */
export const configSchema = z.strictObject({
  /** Editors' JSON schema hint; ignored. */
  $schema: z.string().optional(),
  policy: policySection.optional(),
  sync: syncSection.optional(),
  sandbox: sandboxSection.optional(),
  checkpoints: checkpointsSection.optional(),
});

export type ConfigFile = z.infer<typeof configSchema>;
