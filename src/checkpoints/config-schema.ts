// The `checkpoints` section of the user's configuration file.
import { z } from "zod";

export const checkpointsSection = z.strictObject({
  /** false turns checkpoints off (like `--checkpoints off`). */
  enabled: z.boolean().optional(),
  /** How many checkpoints a workspace keeps (the newest). */
  keep: z.number().int().min(1, "keep at least one checkpoint, or set enabled: false").optional(),
  /** The most bytes a workspace's checkpoints may take on disk. */
  maxBytes: z.number().int().min(1024 * 1024, "at least 1 MiB (1048576)").optional(),
});

export type CheckpointsSection = z.infer<typeof checkpointsSection>;
