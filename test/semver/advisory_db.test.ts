// The shared advisory-db sample against its OSV export (`rustsec-admin osv`): every advisory's
// §2 ranges must equal the exported SEMVER events.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse as parseToml } from "smol-toml";
import { affectedRanges, VersionReq } from "../../src/semver/index.js";
import { advisoryDbDir, advisoryDbOsvDir } from "../support/paths.js";

interface FrontMatter {
  advisory: { id: string };
  versions: { patched: string[]; unaffected?: string[] };
  affected?: { functions?: Record<string, string[]> };
}

function* advisories(): Generator<{ file: string; doc: FrontMatter }> {
  const crates = join(advisoryDbDir, "crates");
  for (const pkg of readdirSync(crates)) {
    for (const name of readdirSync(join(crates, pkg))) {
      if (!name.endsWith(".md")) continue;
      const file = join(crates, pkg, name);
      const text = readFileSync(file, "utf8");
      const toml = text.slice("```toml".length, text.indexOf("\n```", "```toml".length));
      yield { file, doc: parseToml(toml) as unknown as FrontMatter };
    }
  }
}

const available = existsSync(join(advisoryDbDir, "crates")) && existsSync(advisoryDbOsvDir);

describe("shared advisory-db", { skip: !available && "shared advisory-db not present" }, () => {
  it("every advisory's affected ranges equal its OSV export", () => {
    let compared = 0;
    for (const { file, doc } of advisories()) {
      const osvFile = join(advisoryDbOsvDir, `${doc.advisory.id}.json`);
      if (!existsSync(osvFile)) continue;
      const ranges = affectedRanges(
        doc.versions.patched.map((r) => VersionReq.parse(r)),
        (doc.versions.unaffected ?? []).map((r) => VersionReq.parse(r)),
      );
      const events = ranges.flatMap((r) => [
        { introduced: r.introduced?.toString() ?? "0.0.0-0" },
        ...(r.fixed ? [{ fixed: r.fixed.toString() }] : []),
      ]);
      const osv = JSON.parse(readFileSync(osvFile, "utf8")) as {
        affected: { ranges: { events: unknown[] }[] }[];
      };
      assert.deepEqual(events, osv.affected[0]?.ranges[0]?.events, file);
      compared++;
    }
    assert.ok(compared > 0);
  });

  it("every function requirement parses", () => {
    for (const { doc } of advisories()) {
      for (const reqs of Object.values(doc.affected?.functions ?? {})) {
        for (const r of reqs) VersionReq.parse(r);
      }
    }
  });
});
