// The `sandbox` section of the user's configuration file: isolation, environment, network, limits, Docker.
import { z } from "zod";
import { sizePattern } from "./size.js";

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "expected a variable name like MY_API_TOKEN");
const envGlob = z
  .string()
  .regex(/^[A-Za-z_*][A-Za-z0-9_*]*$/, "expected a variable name or a glob like LC_*")
  .refine((glob) => glob.replace(/\*/g, "").length > 0, "patterns like '*' are not allowed: they would copy every secret");

export const sandboxSection = z.strictObject({
  /** Refuse to start without filesystem isolation (never fall back to local). */
  requireIsolation: z.boolean().optional(),
  /** none, allow (the preset's hosts through the proxy; the default for a known agent) or open; or a mode with host lists. */
  network: z
    .union([
      z.enum(["none", "allow", "open"]),
      z.strictObject({
        mode: z.enum(["none", "allow", "open"]).optional(),
        /** Host patterns like example.com, *.example.com, 203.0.113.7:8080 (checked strictly at start). */
        allow: z.array(z.string()).optional(),
        deny: z.array(z.string()).optional(),
      }),
    ])
    .optional(),
  /** gateway (the default with allow): a preset's API key stays on the host; env: it is in the agent's environment. */
  credentials: z.enum(["gateway", "env"]).optional(),
  /** Variables of a known agent passed by name; auto recognises the agent. */
  preset: z.enum(["auto", "none", "claude", "codex", "gemini"]).optional(),
  env: z
    .strictObject({
      /** Copied when set, unless the blocklist drops them. */
      allow: z.array(envGlob).optional(),
      /** Passed by name even when the blocklist would drop them (secrets the agent needs). */
      pass: z.array(envName).optional(),
      /** Never copied; wins over allow, pass and the presets. */
      deny: z.array(envGlob).optional(),
      /** Fixed values. */
      set: z.record(envName, z.string()).optional(),
    })
    .optional(),
  limits: z
    .strictObject({
      memory: z.string().regex(sizePattern, "expected a size like 512m or 2g").optional(),
      pids: z.number().int().min(32, "fewer than 32 processes cannot run an agent").optional(),
      cpus: z.number().positive().optional(),
      /** The sandbox's /tmp (a tmpfs), e.g. 512m. */
      tmpSize: z.string().regex(sizePattern, "expected a size like 256m or 1g").optional(),
    })
    .optional(),
  docker: z
    .strictObject({
      image: z.string().min(1).optional(),
      runtime: z.string().min(1).optional(),
      persist: z.enum(["transient", "reuse"]).optional(),
    })
    .optional(),
});

export type SandboxSection = z.infer<typeof sandboxSection>;
