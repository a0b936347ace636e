import { createHash } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";

/** What the production web build is made from; a change to any of it means rebuild. */
const BUILD_INPUTS = ["app", "components", "lib", "proxy.ts", "next.config.ts", "postcss.config.mjs", "package-lock.json", "tsconfig.json"];

/** A hash over the names, sizes and modification times of the build inputs: cheap, and changes with any edit. */
export async function buildInputsHash(root: string): Promise<string> {
  const hash = createHash("sha256");
  for (const input of BUILD_INPUTS) await addToHash(hash, root, input);
  return hash.digest("hex");
}

async function addToHash(hash: ReturnType<typeof createHash>, root: string, relative: string): Promise<void> {
  const full = path.join(root, relative);
  const info = await stat(full).catch(() => null);
  if (!info) return;
  if (info.isDirectory()) {
    const entries = (await readdir(full)).sort();
    for (const entry of entries) await addToHash(hash, root, path.join(relative, entry));
    return;
  }
  hash.update(`${relative}\0${info.size}\0${info.mtimeMs}\0`);
}

/** The hash the current .next build was made from; null when there is no complete production build. */
export async function builtFromHash(root: string): Promise<string | null> {
  // `next dev` reuses .next without a BUILD_ID: a stamp alone does not prove a production build.
  if (!(await stat(path.join(root, ".next", "BUILD_ID")).catch(() => null))) return null;
  return readFile(path.join(root, ".next", "pgferry-build-stamp"), "utf8").catch(() => null);
}
