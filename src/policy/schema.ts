// The `policy` section of the configuration file (zod); the rules themselves are parsed by rule-syntax.ts.
import { z } from "zod";
import { parseRule, type RuleSpec } from "./rule-syntax.js";

const ruleSchema = z.unknown().transform((value, ctx): RuleSpec => {
  const parsed = parseRule(value);
  if ("ok" in parsed) return parsed.ok;
  ctx.addIssue({ code: "custom", message: parsed.error, path: parsed.at ? [parsed.at] : [] });
  return z.NEVER;
});

const directorySchema = z.strictObject({
  path: z.string().min(1, "path must not be empty"),
  access: z.enum(["read", "write"], { error: (issue) => `expected "read" or "write", got ${JSON.stringify(issue.input)}` }),
});

const positiveInt = (what: string) => z.number({ error: `${what} must be a number` }).int(`${what} must be a whole number`).positive(`${what} must be at least 1`);

export const policySection = z.strictObject({
  allow: z.array(ruleSchema).optional(),
  ask: z.array(ruleSchema).optional(),
  deny: z.array(ruleSchema).optional(),
  /** Directories beyond the workspace the agent may reach. */
  directories: z.array(directorySchema).optional(),
  maxTerminals: positiveInt("maxTerminals").optional(),
  maxReadBytes: positiveInt("maxReadBytes").optional(),
  terminalOutputBytes: positiveInt("terminalOutputBytes").optional(),
});

export type PolicySection = z.infer<typeof policySection>;
