import assert from "node:assert/strict";
import { readdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { loadDatabaseDir } from "../../src/database/index.js";
import { formatDiagnostic } from "../../src/diagnostics/diagnostic.js";
import { advisoryDbDir } from "../support/paths.js";
import {
  advisoryText,
  cleanupTemps,
  copyShared,
  SAMPLE,
  tempDir,
  writeAdvisory,
  writeFile,
} from "./helpers.js";

after(cleanupTemps);

const sharedFileCount = readdirSync(join(advisoryDbDir, "crates")).reduce(
  (n, pkg) => n + readdirSync(join(advisoryDbDir, "crates", pkg)).length,
  0,
);

/** A temp database holding the three sample advisories. */
function sampleDb(): string {
  const dir = tempDir();
  copyShared(dir, SAMPLE);
  return dir;
}

function ids(dir: string): string[] {
  return loadDatabaseDir(dir)
    .database.advisories()
    .map((a) => a.metadata.id);
}

const SAMPLE_IDS = ["RUSTSEC-2016-0002", "RUSTSEC-2020-0053", "RUSTSEC-2022-0012"];

describe("loadDatabaseDir: the shared database", () => {
  const { database, diagnostics } = loadDatabaseDir(advisoryDbDir);

  it("loads every advisory with zero diagnostics", () => {
    assert.deepEqual(diagnostics.map(formatDiagnostic), []);
    assert.equal(database.count, sharedFileCount);
    assert.equal(database.count, 588);
  });

  it("infers the collection and records provenance and sources", () => {
    assert.ok(database.advisories().every((a) => a.metadata.collection === "crates"));
    assert.equal(database.provenance.path, advisoryDbDir);
    assert.equal(database.provenance.kind, "advisory-db");
    const hyper = database.get("RUSTSEC-2016-0002");
    assert.ok(hyper);
    assert.equal(database.sourceOf(hyper), "crates/hyper/RUSTSEC-2016-0002.md");
  });

  it("iterates in id order", () => {
    const list = database.advisories().map((a) => a.metadata.id);
    assert.deepEqual(list, [...list].sort());
    assert.deepEqual([...database].length, database.count);
  });
});

describe("loadDatabaseDir: layout rules (§1.5 A)", () => {
  it("reports a package directory that differs from `package`, at the key", () => {
    const dir = sampleDb();
    const path = join(dir, "crates", "wrong-dir", "RUSTSEC-2024-0001.md");
    writeFile(path, advisoryText({ id: "RUSTSEC-2024-0001", package: "right-name" }));
    const { database, diagnostics } = loadDatabaseDir(dir);
    assert.equal(diagnostics.length, 1);
    const [d] = diagnostics;
    assert.equal(d?.path, path);
    assert.equal(d?.line, 4);
    assert.match(d?.message ?? "", /right-name/);
    assert.deepEqual(
      database.advisories().map((a) => a.metadata.id),
      SAMPLE_IDS,
    );
  });

  it("reports a file name that is not `<id>.md`", () => {
    const dir = sampleDb();
    const path = join(dir, "crates", "foo", "RUSTSEC-2024-0009.md");
    writeFile(path, advisoryText({ id: "RUSTSEC-2024-0001", package: "foo" }));
    const { database, diagnostics } = loadDatabaseDir(dir);
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0]?.path, path);
    assert.equal(diagnostics[0]?.line, 3);
    assert.match(diagnostics[0]?.message ?? "", /RUSTSEC-2024-0001\.md/);
    assert.equal(database.count, 3);
  });

  it("reports files with another extension (`.toml`)", () => {
    const dir = sampleDb();
    const path = join(dir, "crates", "foo", "RUSTSEC-2024-0001.toml");
    writeFile(path, "[advisory]\n");
    const { database, diagnostics } = loadDatabaseDir(dir);
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0]?.path, path);
    assert.match(diagnostics[0]?.message ?? "", /extension/);
    assert.equal(database.count, 3);
  });

  it("reports duplicate ids and keeps the first", () => {
    const dir = sampleDb();
    writeAdvisory(dir, "crates", { id: "RUSTSEC-2024-0001", package: "aaa" });
    const second = writeAdvisory(dir, "crates", { id: "RUSTSEC-2024-0001", package: "bbb" });
    const { database, diagnostics } = loadDatabaseDir(dir);
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0]?.path, second);
    assert.equal(diagnostics[0]?.line, 3);
    assert.match(diagnostics[0]?.message ?? "", /duplicate advisory ID: RUSTSEC-2024-0001/);
    assert.equal(database.get("RUSTSEC-2024-0001")?.metadata.package, "aaa");
    assert.equal(database.count, 4);
  });

  it("reports a non-UTF-8 file", () => {
    const dir = sampleDb();
    const path = join(dir, "crates", "foo", "RUSTSEC-2024-0001.md");
    const text = advisoryText({ id: "RUSTSEC-2024-0001", package: "foo" });
    writeFile(path, Buffer.concat([Buffer.from(text), Buffer.from([0xff, 0xfe, 0x80])]));
    const { database, diagnostics } = loadDatabaseDir(dir);
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0]?.path, path);
    assert.match(diagnostics[0]?.message ?? "", /UTF-8/i);
    assert.equal(database.count, 3);
  });

  it("refuses a 10 MB file without reading it", () => {
    const dir = sampleDb();
    const path = join(dir, "crates", "foo", "RUSTSEC-2024-0001.md");
    writeFile(path, Buffer.alloc(10 * 1024 * 1024, 0x61));
    const { database, diagnostics } = loadDatabaseDir(dir);
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0]?.path, path);
    assert.match(diagnostics[0]?.message ?? "", /too large/);
    assert.equal(database.count, 3);
  });

  it("reports a file that does not parse, with its position, and loads the rest", () => {
    const dir = sampleDb();
    const path = join(dir, "crates", "foo", "RUSTSEC-2024-0001.md");
    writeFile(path, "```toml\n[advisory]\nid = \n```\n\n# T\n\nD\n");
    const { database, diagnostics } = loadDatabaseDir(dir);
    assert.ok(diagnostics.length >= 1);
    assert.ok(diagnostics.every((d) => d.path === path && d.line > 0));
    assert.equal(database.count, 3);
  });

  it("reports an empty directory", () => {
    const dir = tempDir();
    const { database, diagnostics } = loadDatabaseDir(dir);
    assert.equal(database.count, 0);
    assert.ok(diagnostics.some((d) => d.path === dir && /no advisories found/.test(d.message)));
    assert.ok(diagnostics.some((d) => /missing `crates\/`/.test(d.message)));
  });

  it("reports a missing crates/ even when rust/ has advisories", () => {
    const dir = tempDir();
    writeAdvisory(dir, "rust", { id: "CVE-2022-21658", package: "std", date: "2022-01-20" });
    const { database, diagnostics } = loadDatabaseDir(dir);
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0]?.path, join(dir, "crates"));
    assert.equal(database.count, 1);
  });

  it("reports a directory that does not exist", () => {
    const dir = join(tempDir(), "nope");
    const { database, diagnostics } = loadDatabaseDir(dir);
    assert.equal(database.count, 0);
    assert.match(diagnostics[0]?.message ?? "", /does not exist/);
  });

  it("tolerates a missing rust/, skips dotfiles and non-directories in a collection", () => {
    const dir = sampleDb();
    writeFile(join(dir, "crates", "README.md"), "not an advisory");
    writeFile(join(dir, "crates", ".DS_Store"), "junk");
    writeFile(join(dir, "crates", "hyper", ".DS_Store"), "junk");
    writeFile(join(dir, "crates", ".hidden", "RUSTSEC-2024-0001.md"), "junk");
    assert.deepEqual(loadDatabaseDir(dir).diagnostics, []);
    assert.deepEqual(ids(dir), SAMPLE_IDS);
  });

  it("reports a directory inside a package directory", () => {
    const dir = sampleDb();
    writeFile(join(dir, "crates", "hyper", "nested", "x.md"), "x");
    const { diagnostics } = loadDatabaseDir(dir);
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0]?.path, join(dir, "crates", "hyper", "nested"));
  });

  it("follows symlinked package directories", () => {
    const dir = sampleDb();
    const elsewhere = tempDir();
    writeAdvisory(elsewhere, "x", { id: "RUSTSEC-2024-0001", package: "linked" });
    symlinkSync(join(elsewhere, "x", "linked"), join(dir, "crates", "linked"));
    assert.equal(
      loadDatabaseDir(dir).database.get("RUSTSEC-2024-0001")?.metadata.package,
      "linked",
    );
  });

  it("parses drafts but does not insert them", () => {
    const dir = sampleDb();
    writeAdvisory(dir, "crates", { id: "RUSTSEC-0000-0000", package: "foo" });
    const { database, diagnostics } = loadDatabaseDir(dir);
    assert.deepEqual(diagnostics, []);
    assert.equal(database.get("RUSTSEC-0000-0000"), undefined);
    assert.equal(database.count, 3);
    const broken = join(dir, "crates", "bar", "RUSTSEC-0000-0000.md");
    writeFile(broken, "```toml\n[advisory]\n```\n\n# T\n\nD\n");
    assert.ok(loadDatabaseDir(dir).diagnostics.some((d) => d.path === broken));
  });

  it("reports an explicit `collection` that disagrees with the directory", () => {
    const dir = sampleDb();
    const path = writeAdvisory(dir, "crates", {
      id: "RUSTSEC-2024-0001",
      package: "foo",
      extra: 'collection = "rust"',
    });
    const { database, diagnostics } = loadDatabaseDir(dir);
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0]?.path, path);
    assert.equal(diagnostics[0]?.line, 6);
    assert.match(diagnostics[0]?.message ?? "", /collection mismatch/);
    assert.equal(database.count, 3);
  });

  it("loads rust/ advisories into their own collection", () => {
    const dir = sampleDb();
    writeAdvisory(dir, "rust", {
      id: "CVE-2022-21658",
      package: "std",
      date: "2022-01-20",
      patched: [">= 1.58.1"],
    });
    writeAdvisory(dir, "crates", { id: "RUSTSEC-2024-0001", package: "std" });
    const { database, diagnostics } = loadDatabaseDir(dir);
    assert.deepEqual(diagnostics, []);
    const cve = database.get("CVE-2022-21658");
    assert.equal(cve?.metadata.collection, "rust");
    assert.equal(database.sourceOf(cve as NonNullable<typeof cve>), "rust/std/CVE-2022-21658.md");
    assert.deepEqual(
      database.byPackage("std").map((a) => a.metadata.id),
      ["RUSTSEC-2024-0001"],
    );
    assert.deepEqual(
      database.byPackage("std", "rust").map((a) => a.metadata.id),
      ["CVE-2022-21658"],
    );
    assert.deepEqual(database.packages("rust"), ["std"]);
  });

  it("keeps loading after many bad files", () => {
    const dir = sampleDb();
    for (let i = 1; i <= 5; i++) {
      writeFile(join(dir, "crates", `bad${i}`, `RUSTSEC-2024-000${i}.md`), `garbage ${i}`);
    }
    const { database, diagnostics } = loadDatabaseDir(dir);
    assert.equal(diagnostics.length, 5);
    assert.equal(database.count, 3);
  });
});
