// bwrap's scratch directories (HOME and /tmp of a sandbox): a bridge killed with SIGKILL leaves its own behind,
// and prune (or the next bridge) removes those whose bridge is gone, and only those.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { createScratch, removeStaleScratch } from "../../src/sandbox/bwrap/scratch.js";

let base: string;
beforeEach(() => {
  base = mkdtempSync(path.join(os.tmpdir(), "acp-sandbox-scratch-test-"));
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

it("removes the scratch of a bridge that is gone, keeps those of live ones and anything else", () => {
  const gone = spawnSync("true").pid!;
  const dead = path.join(base, `acp-sandbox-bwrap-${gone}-aaaaaa`);
  const live = path.join(base, `acp-sandbox-bwrap-${process.ppid}-bbbbbb`);
  const other = path.join(base, "acp-sandbox-bwrap-notapid");
  for (const dir of [dead, live, other]) mkdirSync(path.join(dir, "home"), { recursive: true });
  const mine = createScratch(base);

  expect(removeStaleScratch(base)).toEqual([dead]);
  expect(existsSync(dead)).toBe(false);
  for (const dir of [live, other, mine.home, mine.tmp]) expect(existsSync(dir)).toBe(true);
  mine.remove();
  expect(existsSync(mine.root)).toBe(false);
});
