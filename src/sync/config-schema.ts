// The `sync` section of the user's configuration file.
import { z } from "zod";

export const syncSection = z.strictObject({
  /** bind: the workspace is mounted into the sandbox; copy: the sandbox gets its own copy, synced back. */
  mount: z.enum(["bind", "copy"]).optional(),
  /** When copies travel back: at session end, also after every turn, or only on `acp-sandbox sync`. */
  sync: z.enum(["none", "session", "turn"]).optional(),
  /** Extra paths left out of the copy, gitignore syntax. */
  exclude: z.array(z.string().min(1, "an empty pattern matches nothing")).optional(),
});

export type SyncSection = z.infer<typeof syncSection>;
