import type { Advisory } from "../advisory/model.js";
import { type CratesIndex, IndexUnavailableError } from "../crates-index/index.js";
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.js";

export interface LocatedAdvisory {
  readonly advisory: Advisory;
  readonly path: string;
}

/**
 * §1.5 C: every `crates/` advisory not marked `expect-deleted` must name a crate that exists in
 * the index, spelled exactly as the index spells it (catches `serde-json` vs `serde_json`).
 */
export async function checkCratesExist(
  advisories: readonly LocatedAdvisory[],
  index: CratesIndex,
  concurrency = 8,
): Promise<Diagnostic[]> {
  const todo = advisories.filter(
    ({ advisory }) => advisory.metadata.collection !== "rust" && !advisory.metadata.expectDeleted,
  );
  const results: Diagnostic[][] = new Array(todo.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < todo.length) {
      const i = next++;
      const item = todo[i];
      if (item) results[i] = await checkOne(item, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, todo.length) }, worker));
  return results.flat();
}

async function checkOne(
  { advisory, path }: LocatedAdvisory,
  index: CratesIndex,
): Promise<Diagnostic[]> {
  const name = advisory.metadata.package;
  try {
    const versions = await index.versions(name);
    if (versions === null || versions.length === 0) {
      return [
        diagnostic(
          path,
          0,
          0,
          `crate \`${name}\` does not exist in ${index.location} (set \`expect-deleted = true\` if it was removed)`,
        ),
      ];
    }
    const canonical = versions[0]?.name;
    if (canonical !== undefined && canonical !== name) {
      return [
        diagnostic(
          path,
          0,
          0,
          `package \`${name}\` is spelled \`${canonical}\` in ${index.location}`,
        ),
      ];
    }
    return [];
  } catch (err) {
    if (err instanceof IndexUnavailableError) {
      return [
        diagnostic(path, 0, 0, `could not check that crate \`${name}\` exists: ${err.message}`),
      ];
    }
    throw err;
  }
}
