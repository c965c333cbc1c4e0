// The package's name and version, read once from package.json.
import { readFileSync } from "node:fs";

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { name: string; version: string };

export const PACKAGE_NAME = pkg.name;
export const VERSION = pkg.version;
/** The package's root directory (where fixtures/ and dist/ live). */
export const PACKAGE_ROOT = new URL("../../", import.meta.url).pathname;
