/**
 * Loads an advisory-db directory into a Database (specs/rustsec.md §1.5 A). Unlike rustsec, which
 * aborts on the first bad file, every problem becomes a located Diagnostic and the bad file is
 * left out, so one broken advisory never hides the others.
 */
import type { Advisory } from "../advisory/model.js";
import { parseAdvisoryFile } from "../advisory/parse.js";
import { checkAdvisoryPath } from "../advisory/path-rules.js";
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.js";
import { Database } from "./database.js";
import { DRAFT_ID } from "./ids.js";
import { type Listing, listDatabaseDir } from "./layout.js";
import { type KeyPos, locateKey } from "./locate.js";
import type { Provenance } from "./provenance.js";
import { type RacyFile, racyFile, racyThreshold } from "./racy.js";
import { readBounded } from "./read.js";

export interface LoadResult {
  readonly database: Database;
  /** Layout and parse errors, in file order. Empty for a healthy database. */
  readonly diagnostics: readonly Diagnostic[];
}

export interface LoadDirOptions {
  /** Overrides for the provenance (the git layer sets the commit). */
  readonly lastCommit?: string | null;
  readonly lastUpdated?: Date | null;
}

/** A load plus what the compiled cache needs to store and validate it. */
export interface DetailedLoad extends LoadResult {
  readonly listing: Listing;
  readonly advisories: readonly { readonly advisory: Advisory; readonly rel: string }[];
  /** Files changed too recently for their stamp to prove a later edit (see racy.ts). */
  readonly racy: readonly RacyFile[];
}

const decoder = new TextDecoder();

function locate(bytes: Uint8Array, key: string): KeyPos | undefined {
  const pos = locateKey(decoder.decode(bytes), key);
  return pos.line > 0 ? pos : undefined;
}

export function loadDirDetailed(
  dir: string,
  opts: LoadDirOptions = {},
  listing: Listing = listDatabaseDir(dir),
): DetailedLoad {
  const diagnostics: Diagnostic[] = [...listing.diagnostics];
  const loaded: { advisory: Advisory; rel: string }[] = [];
  const seen = new Map<string, string>();
  const racy: RacyFile[] = [];
  const racyAfter = racyThreshold();

  for (const file of listing.files) {
    const read = readBounded(file.path);
    if ("bytes" in read && read.stats.ctimeNs >= racyAfter)
      racy.push(racyFile(file.rel, read.bytes));
    if ("error" in read) {
      diagnostics.push(diagnostic(file.path, 0, 0, read.error));
      continue;
    }
    const parsed = parseAdvisoryFile(read.bytes, file.path, { collection: file.collection });
    if (!parsed.ok) {
      diagnostics.push(...parsed.errors);
      continue;
    }
    const { advisory } = parsed;
    const { id } = advisory.metadata;
    const pathErrors = checkAdvisoryPath(file.path, advisory, (key) => locate(read.bytes, key));
    if (pathErrors.length > 0) {
      diagnostics.push(...pathErrors);
      continue;
    }
    // Drafts must parse, but are never part of the database.
    if (id === DRAFT_ID) continue;
    const first = seen.get(id);
    if (first !== undefined) {
      const msg = `duplicate advisory ID: ${id} (also in ${first})`;
      const at = locate(read.bytes, "id");
      diagnostics.push(diagnostic(file.path, at?.line ?? 0, at?.col ?? 0, msg));
      continue;
    }
    seen.set(id, file.path);
    loaded.push({ advisory, rel: file.rel });
  }

  if (loaded.length === 0) diagnostics.push(diagnostic(dir, 0, 0, "no advisories found"));
  const database = Database.fromAdvisories(
    loaded.map((l) => l.advisory),
    {
      kind: "advisory-db",
      path: dir,
      lastCommit: opts.lastCommit ?? null,
      lastUpdated: opts.lastUpdated ?? null,
    } satisfies Provenance,
    new Map(loaded.map((l) => [l.advisory, l.rel])),
  );
  return {
    database,
    diagnostics,
    listing,
    advisories: loaded,
    racy,
  };
}

/** Loads `dir` (an advisory-db checkout or plain copy) without any cache. */
export function loadDatabaseDir(dir: string, opts: LoadDirOptions = {}): LoadResult {
  const { database, diagnostics } = loadDirDetailed(dir, opts);
  return { database, diagnostics };
}
