// Figure 5: copy-mode sync (10,000 files / 100 MB in, a no-change sync back) against `tar | docker exec tar -x`.
import { existsSync } from "node:fs";
import path from "node:path";
import { ROOT } from "../commands.js";
import type { BenchCase, BenchContext } from "../context.js";
import { notAvailable, type Row } from "../result.js";

const FIGURES = [
  { case: "sync", figure: "initial sync, 10,000 files / 100 MB", unit: "ms", baselineLabel: "tar | docker exec tar -x", comparison: "added" },
  { case: "sync", figure: "no-change sync back", unit: "ms", baselineLabel: "tar | docker exec tar -x", comparison: "added" },
] as const;

export const sync: BenchCase = {
  id: "sync",
  title: "copy-mode sync",
  async run(_context: BenchContext): Promise<Row[]> {
    const reason = existsSync(path.join(ROOT, "dist", "src", "sync", "engine.js"))
      ? "the sync figure is not wired to the sync engine yet"
      : "copy-mode sync has not landed in this build";
    return FIGURES.map((figure) => notAvailable(figure, reason));
  },
};
