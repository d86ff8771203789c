import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { auditPackages } from "../../src/audit/audit.js";
import { binaryAdvisoryFilter, binaryAuditInput } from "../../src/audit/binary-input.js";
import type { AuditedPackage, AuditReport, DependentsTree } from "../../src/audit/report.js";
import { type BinaryScanResult, scanBinary } from "../../src/binary/index.js";
import { type Database, loadDatabase } from "../../src/database/index.js";
import { CRATES_IO_REGISTRY_SOURCE } from "../../src/lockfile/index.js";
import { type AuditPackageJson, allFixtures, auditPayload, elf, pe } from "../binary/fixtures.js";
import { advisoryDbDir } from "../support/paths.js";

let db: Database;
before(() => {
  db = loadDatabase(advisoryDbDir, { useCache: false }).database;
});

/**
 * A diamond: app -> left, right; left -> leaf; right -> shared; shared -> left, leaf.
 * So `leaf` is reached directly through `left` and, longer, through `right -> shared`.
 */
const DIAMOND: AuditPackageJson[] = [
  { name: "app", version: "0.1.0", source: "local", dependencies: [1, 2], root: true },
  { name: "left", version: "1.0.0", source: "crates.io", dependencies: [4] },
  { name: "right", version: "2.0.0", source: "git", dependencies: [3] },
  { name: "shared", version: "3.0.0", source: "crates.io", dependencies: [1, 4] },
  { name: "leaf", version: "4.0.0", source: "crates.io", kind: "build" },
];

function elfWith(packages: AuditPackageJson[]): Buffer {
  const data = auditPayload({ format: 1, packages });
  return elf({ bits: 64, littleEndian: true, sections: [{ name: ".dep-v0", data }] });
}

function scan(bytes: Uint8Array): BinaryScanResult {
  return scanBinary(bytes);
}

function byName(packages: readonly AuditedPackage[], name: string): AuditedPackage {
  const pkg = packages.find((p) => p.name === name);
  assert.ok(pkg, `no package ${name}`);
  return pkg;
}

const names = (path: readonly AuditedPackage[]): string[] => path.map((p) => p.name);

/** A tree as nested `name` / `name(elided)` strings, for compact comparisons. */
function shape(tree: DependentsTree): unknown {
  const label = `${tree.package.name}${tree.elided ? "(elided)" : ""}`;
  return tree.dependents.length === 0 ? label : { [label]: tree.dependents.map(shape) };
}

describe("binaryAuditInput on complete audit data", () => {
  const result = scan(elfWith(DIAMOND));
  const input = binaryAuditInput("bin/app", result);
  const pkg = (name: string) => byName(input.packages, name);

  test("packages keep order, versions and crates.io-only sources", () => {
    assert.equal(result.kind, "complete");
    assert.equal(input.path, "bin/app");
    assert.deepEqual(names(input.packages), ["app", "left", "right", "shared", "leaf"]);
    assert.equal(pkg("leaf").version.toString(), "4.0.0");
    assert.equal(pkg("app").source, null);
    assert.equal(pkg("right").source, null);
    assert.equal(pkg("left").source, CRATES_IO_REGISTRY_SOURCE);
    assert.equal(pkg("leaf").source, CRATES_IO_REGISTRY_SOURCE);
    for (const p of input.packages) {
      assert.equal(p.line, null);
      assert.equal(p.checksum, null);
    }
  });

  test("dependencies become package references with their sources", () => {
    assert.deepEqual(pkg("app").dependencies, [
      { name: "left", version: "1.0.0", source: CRATES_IO_REGISTRY_SOURCE },
      { name: "right", version: "2.0.0", source: null },
    ]);
    assert.deepEqual(pkg("shared").dependencies, [
      { name: "left", version: "1.0.0", source: CRATES_IO_REGISTRY_SOURCE },
      { name: "leaf", version: "4.0.0", source: CRATES_IO_REGISTRY_SOURCE },
    ]);
    assert.deepEqual(pkg("leaf").dependencies, []);
  });

  test("paths are the shortest ones from the root, one per direct dependency, shortest first", () => {
    assert.deepEqual(input.graph.paths(pkg("leaf")).map(names), [
      ["app", "left", "leaf"],
      ["app", "right", "shared", "leaf"],
    ]);
    assert.deepEqual(input.graph.paths(pkg("left")).map(names), [
      ["app", "left"],
      ["app", "right", "shared", "left"],
    ]);
    assert.deepEqual(input.graph.paths(pkg("shared")).map(names), [["app", "right", "shared"]]);
    assert.deepEqual(input.graph.paths(pkg("app")).map(names), [["app"]]);
    // Paths hold the input's own package objects.
    const first = input.graph.paths(pkg("leaf"))[0];
    assert.equal(first?.[0], pkg("app"));
  });

  test("the inverse tree expands each package once and elides repeats that have dependents", () => {
    const tree = input.graph.tree(pkg("leaf"));
    assert.ok(tree);
    assert.equal(tree.package, pkg("leaf"));
    assert.deepEqual(shape(tree), {
      leaf: [{ left: ["app", { shared: [{ right: ["app"] }] }] }, "shared(elided)"],
    });
    // The root repeated under `right` has no dependents, so it is not marked elided.
    assert.deepEqual(shape(input.graph.tree(pkg("app")) as DependentsTree), "app");
  });

  test("packages that are not from this input have no paths and no tree", () => {
    const stranger = { ...pkg("leaf") };
    assert.deepEqual(input.graph.paths(stranger), []);
    assert.equal(input.graph.tree(stranger), null);
  });

  test("the same graph from every executable format", () => {
    const payload = auditPayload({ format: 1, packages: DIAMOND });
    for (const fixture of allFixtures(payload)) {
      const other = binaryAuditInput(fixture.name, scan(fixture.bytes));
      const leaf = byName(other.packages, "leaf");
      assert.deepEqual(other.graph.paths(leaf).map(names), [
        ["app", "left", "leaf"],
        ["app", "right", "shared", "leaf"],
      ]);
    }
  });

  test("a long chain is walked without recursion", () => {
    const n = 20_000;
    const chain: AuditPackageJson[] = Array.from({ length: n }, (_, i) => ({
      name: `c${i}`,
      version: "1.0.0",
      source: "crates.io",
      ...(i + 1 < n ? { dependencies: [i + 1] } : {}),
      ...(i === 0 ? { root: true } : {}),
    }));
    const long = binaryAuditInput("chain", scan(elfWith(chain)));
    const last = long.packages[n - 1] as AuditedPackage;
    assert.equal(long.graph.paths(last)[0]?.length, n);
    let depth = 0;
    for (let t: DependentsTree | undefined = long.graph.tree(last) ?? undefined; t; ) {
      depth++;
      t = t.dependents[0];
    }
    assert.equal(depth, n);
  });
});

describe("binaryAuditInput without a graph", () => {
  const panicPaths = Buffer.from(
    "\0/home/u/.cargo/registry/src/index.crates.io-6f17d22bba15001f/abi_stable-0.9.0/src/lib.rs\0" +
      "/root/.cargo/registry/src/github.com-1ecc6299db9ec823/smallvec-1.6.0/src/lib.rs\0",
    "latin1",
  );

  test("crates recovered from panic paths are crates.io packages without paths or trees", () => {
    const result = scan(panicPaths);
    assert.equal(result.kind, "incomplete");
    const input = binaryAuditInput("x", result);
    assert.deepEqual(names(input.packages).sort(), ["abi_stable", "smallvec"]);
    for (const p of input.packages) {
      assert.equal(p.source, CRATES_IO_REGISTRY_SOURCE);
      assert.deepEqual(p.dependencies, []);
      assert.deepEqual(input.graph.paths(p), []);
      assert.equal(input.graph.tree(p), null);
    }
  });

  test("no dependency information gives no packages", () => {
    const result = scan(Buffer.from("just some text, not a program\n"));
    assert.equal(result.kind, "none");
    assert.deepEqual(binaryAuditInput("t.txt", result).packages, []);
  });
});

describe("binaryAdvisoryFilter and auditPackages", () => {
  const ATTY: AuditPackageJson[] = [
    { name: "app", version: "0.1.0", source: "local", dependencies: [1, 2], root: true },
    { name: "atty", version: "0.2.14", source: "crates.io" },
    { name: "abi_stable", version: "0.9.0", source: "crates.io" },
  ];
  const dep = (packages: AuditPackageJson[]) => [
    { name: ".dep-v0", data: auditPayload({ format: 1, packages }) },
  ];

  function auditBytes(bytes: Uint8Array): AuditReport {
    const result = scan(bytes);
    return auditPackages(db, binaryAuditInput("bin", result), {
      today: "2026-11-23",
      advisoryApplies: binaryAdvisoryFilter(result.format),
    });
  }
  const warningIds = (r: AuditReport) =>
    r.warnings.map((w) => `${w.advisory?.metadata.id} ${w.kind}`).sort();

  test("atty's Windows-only unsound advisory is reported for a PE binary", () => {
    const report = auditBytes(pe({ plus: true, sections: dep(ATTY) }));
    assert.deepEqual(warningIds(report), [
      "RUSTSEC-2021-0145 unsound",
      "RUSTSEC-2024-0375 unmaintained",
    ]);
    assert.deepEqual(
      report.vulnerabilities.map((v) => v.advisory.metadata.id),
      ["RUSTSEC-2020-0105"],
    );
    const unsound = report.warnings.find((w) => w.kind === "unsound");
    assert.deepEqual(unsound?.paths.map(names), [["app", "atty"]]);
  });

  test("and not for an ELF one (nor Mach-O or Wasm); OS-less advisories still are", () => {
    for (const fixture of allFixtures(auditPayload({ format: 1, packages: ATTY }))) {
      const report = auditBytes(fixture.bytes);
      const expected =
        fixture.format === "pe"
          ? ["RUSTSEC-2021-0145 unsound", "RUSTSEC-2024-0375 unmaintained"]
          : ["RUSTSEC-2024-0375 unmaintained"];
      assert.deepEqual(warningIds(report), expected, fixture.name);
      assert.equal(report.vulnerabilities.length, 1, fixture.name);
    }
  });

  test("the filter reads the advisory's os list", () => {
    const unsound = db.get("RUSTSEC-2021-0145");
    const unmaintained = db.get("RUSTSEC-2024-0375");
    assert.ok(unsound && unmaintained);
    assert.equal(binaryAdvisoryFilter("pe")(unsound), true);
    assert.equal(binaryAdvisoryFilter("elf64")(unsound), false);
    assert.equal(binaryAdvisoryFilter("macho")(unsound), false);
    assert.equal(binaryAdvisoryFilter("unknown")(unsound), true);
    for (const format of ["pe", "elf32", "elf64", "macho", "wasm", "unknown"] as const) {
      assert.equal(binaryAdvisoryFilter(format)(unmaintained), true);
    }
  });

  test("git and local packages are never matched", () => {
    const report = auditBytes(
      elfWith([
        { name: "app", version: "0.1.0", source: "local", dependencies: [1, 2], root: true },
        { name: "abi_stable", version: "0.9.0", source: "git" },
        { name: "atty", version: "0.2.14", source: "registry" },
      ]),
    );
    assert.equal(report.vulnerabilities.length, 0);
    assert.equal(report.warnings.length, 0);
    assert.equal(report.lockfile.dependencyCount, 3);
  });
});
