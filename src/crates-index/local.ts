import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type IndexVersion, parseIndexFile } from "./entry.js";
import { type LookupManyOptions, type LookupResult, lookupMany } from "./many.js";
import { indexRelativePath, isValidCrateName } from "./path.js";
import { type CratesIndex, IndexUnavailableError } from "./source.js";

/** A crates index laid out on disk (a checkout of the git index, or a sample of it). */
export class LocalIndex implements CratesIndex {
  constructor(readonly location: string) {}

  async versions(crateName: string): Promise<readonly IndexVersion[] | null> {
    if (!isValidCrateName(crateName)) return null;
    let text: string;
    try {
      text = await readFile(join(this.location, indexRelativePath(crateName)), "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw new IndexUnavailableError(
        `cannot read index file for ${crateName}: ${(err as Error).message}`,
        "io",
      );
    }
    return parseIndexFile(text);
  }

  /** Bulk lookup with bounded parallelism, see `lookupMany`. Never rejects. */
  versionsMany(
    names: Iterable<string>,
    options: LookupManyOptions = {},
  ): Promise<Map<string, LookupResult>> {
    return lookupMany(this, names, options);
  }
}
