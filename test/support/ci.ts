// Test support: a suite that cannot run here is skipped with its reason, except in CI, where that fails.
import { describe } from "vitest";

export const IN_CI = process.env["CI"] === "true";

/**
 * `describe` when `unavailable` is undefined; otherwise a skip that names the reason, or, with CI=true,
 * a suite with one failing test saying why the backend could not run.
 */
export function describeBackend(name: string, unavailable: string | undefined, body: () => void): void {
  if (unavailable === undefined) {
    describe(name, body);
  } else if (IN_CI) {
    describe(name, () => {
      it(`${name} must run in CI`, () => {
        throw new Error(`${name} cannot run on this CI machine: ${unavailable}`);
      });
    });
  } else {
    describe.skip(`${name} (skipped: ${unavailable})`, body);
  }
}

import { it } from "vitest";
