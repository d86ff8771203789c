/** The `[advisory]` table (rustsec `advisory/metadata.rs`, specs/rustsec.md §1.2). */
import { CvssError, parseCvss } from "./cvss.js";
import { validateDate } from "./date.js";
import type { Fields } from "./fields.js";
import { idKind, validateId } from "./id.js";
import type { AdvisoryMetadata, Collection, Cvss, License } from "./model.js";
import type { Parts } from "./parts.js";
import { validateSourceId } from "./source-id.js";

const COLLECTIONS: readonly string[] = ["crates", "rust"];
const DEFAULT_LICENSE: License = "CC0-1.0";

/** Reads `[advisory]`; errors go to the reporter behind `f` (the result is then partial). */
export function readMetadata(
  f: Fields,
  parts: Parts,
  inferred: Collection | null,
): AdvisoryMetadata {
  const id = f.string("id", true) ?? "";
  if (f.has("id")) checkId(f, "id", id);
  const date = dateField(f, "date", true) ?? "";
  for (const key of ["title", "description"]) {
    const text = f.string(key);
    if (text !== undefined && text !== "") {
      f.error(key, `invalid \`${key}\` attribute in advisory TOML (it comes from the Markdown)`);
    }
  }
  const aliases = idList(f, "aliases");
  const related = idList(f, "related");
  const url = f.string("url");
  if (url !== undefined && !URL.canParse(url)) f.invalid("url", `invalid URL: ${url}`);
  const references = f.stringList("references") ?? [];
  for (const ref of references) {
    if (!URL.canParse(ref)) f.invalid("references", `invalid URL: ${ref}`, JSON.stringify(ref));
  }
  const source = f.string("source");
  if (source !== undefined) {
    const error = validateSourceId(source);
    if (error !== null) f.invalid("source", error);
  }
  return {
    id,
    idKind: idKind(id),
    package: f.string("package", true) ?? "",
    title: parts.title,
    description: parts.description,
    date,
    aliases,
    related,
    collection: collection(f, id, inferred),
    categories: f.stringList("categories") ?? [],
    keywords: f.stringList("keywords") ?? [],
    cvss: cvss(f),
    informational: f.string("informational") ?? null,
    references,
    source: source ?? null,
    url: url ?? null,
    withdrawn: dateField(f, "withdrawn", false) ?? null,
    license: f.string("license") ?? DEFAULT_LICENSE,
    expectDeleted: f.bool("expect-deleted") ?? false,
  };
}

function checkId(f: Fields, key: string, id: string, needle?: string): void {
  const error = validateId(id);
  if (error !== null) f.invalid(key, error, needle);
}

function idList(f: Fields, key: string): string[] {
  const ids = f.stringList(key) ?? [];
  for (const id of ids) checkId(f, key, id, JSON.stringify(id));
  return ids;
}

function dateField(f: Fields, key: string, required: boolean): string | undefined {
  const text = f.string(key, required);
  if (text === undefined) return undefined;
  const error = validateDate(text);
  if (error !== null) f.invalid(key, error);
  return text;
}

function cvss(f: Fields): Cvss | null {
  const vector = f.string("cvss");
  if (vector === undefined) return null;
  try {
    return parseCvss(vector);
  } catch (e) {
    const detail = e instanceof CvssError ? e.message : String(e);
    f.invalid("cvss", `${JSON.stringify(vector)}: ${detail}`);
    return null;
  }
}

function collection(f: Fields, id: string, inferred: Collection | null): Collection | null {
  const explicit = f.string("collection");
  if (explicit === undefined) return inferred;
  if (!COLLECTIONS.includes(explicit)) {
    f.invalid("collection", `unknown variant \`${explicit}\`, expected \`crates\` or \`rust\``);
    return inferred;
  }
  if (inferred !== null && explicit !== inferred) {
    f.error(
      "collection",
      `collection mismatch for ${id}: \`${explicit}\` but the file is in ${inferred}/`,
    );
  }
  return explicit as Collection;
}
