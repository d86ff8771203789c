import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import type { Advisory } from "../../src/advisory/model.js";
import { parseAdvisory } from "../../src/advisory/parse.js";
import { auditPackages } from "../../src/audit/audit.js";
import {
  type AvailableVersion,
  advisoryCandidates,
  type FixPlan,
  type FixStep,
  fixCommands,
  isSemverCompatible,
  NOTE_WITHOUT_INDEX,
  planFixes,
  planFixesEverything,
  type UnfixablePackage,
} from "../../src/audit/fix-plan.js";
import { lockfileAuditInput } from "../../src/audit/lockfile-input.js";
import type { AuditedPackage, AuditReport } from "../../src/audit/report.js";
import { LocalIndex } from "../../src/crates-index/index.js";
import { type Database, loadDatabase } from "../../src/database/index.js";
import { parseLockfile } from "../../src/lockfile/index.js";
import { isAffected, Version } from "../../src/semver/index.js";
import { advisoryDbDir, sharedData } from "../support/paths.js";

const CRATES_IO = "registry+https://github.com/rust-lang/crates.io-index";
const v = (text: string): Version => Version.parse(text);

/** A hand-made advisory, parsed by cratesec's own parser (so its ranges are the real §2 ones). */
function advisory(id: string, pkg: string, patched: string[], unaffected: string[] = []): Advisory {
  const list = (reqs: string[]) => reqs.map((r) => JSON.stringify(r)).join(", ");
  const text = [
    "```toml",
    "[advisory]",
    `id = "${id}"`,
    `package = "${pkg}"`,
    `date = "2020-01-01"`,
    "",
    "[versions]",
    `patched = [${list(patched)}]`,
    ...(unaffected.length > 0 ? [`unaffected = [${list(unaffected)}]`] : []),
    "```",
    "",
    `# Problem in ${pkg}`,
    "",
    "Description.",
    "",
  ].join("\n");
  const parsed = parseAdvisory(text, `crates/${pkg}/${id}.md`, { collection: "crates" });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.advisory;
}

function pkg(name: string, version: string): AuditedPackage {
  return {
    name,
    version: v(version),
    source: CRATES_IO,
    checksum: null,
    dependencies: [],
    line: null,
  };
}

/** A report whose vulnerabilities are exactly these (package, advisory) pairs. */
function report(findings: [AuditedPackage, Advisory][]): AuditReport {
  return {
    database: { advisoryCount: 0, lastCommit: null, lastUpdated: null, path: null },
    lockfile: { path: "Cargo.lock", dependencyCount: findings.length },
    settings: {
      targetArch: [],
      targetOs: [],
      severity: null,
      ignore: [],
      informationalWarnings: [],
    },
    vulnerabilities: findings.map(([p, a]) => ({ advisory: a, package: p, paths: [], tree: null })),
    warnings: [],
    ignored: [],
    unusedIgnores: [],
    expiredIgnores: [],
    notices: [],
  };
}

const versions = (...list: string[]): AvailableVersion[] =>
  list.map((s) => ({ version: v(s.replace(/!$/, "")), yanked: s.endsWith("!") }));

function only(plan: FixPlan): FixStep {
  assert.equal(plan.unfixable.length, 0, JSON.stringify(plan.unfixable.map((u) => u.reason)));
  assert.equal(plan.steps.length, 1);
  return plan.steps[0] as FixStep;
}

function onlyUnfixable(plan: FixPlan): UnfixablePackage {
  assert.equal(plan.steps.length, 0);
  assert.equal(plan.unfixable.length, 1);
  return plan.unfixable[0] as UnfixablePackage;
}

/** `name old → new`, plus ` (breaking)`, for compact assertions. */
const arrow = (s: FixStep): string =>
  `${s.name} ${s.from} → ${s.to}${s.breaking ? " (breaking)" : ""}`;

// RUSTSEC-2018-0003 (smallvec) is not in the shared database; its [versions] are these.
const smallvec = advisory(
  "RUSTSEC-2018-0003",
  "smallvec",
  [">= 0.6.3", "^0.3.4", "^0.4.5", "^0.5.1"],
  ["< 0.3.2"],
);

describe("semver compatibility (Cargo's caret)", () => {
  test("same major above 0, same minor for 0.y, same patch for 0.0.z", () => {
    assert.ok(isSemverCompatible(v("1.2.3"), v("1.9.0")));
    assert.ok(!isSemverCompatible(v("1.2.3"), v("2.0.0")));
    assert.ok(isSemverCompatible(v("0.4.2"), v("0.4.5")));
    assert.ok(!isSemverCompatible(v("0.4.2"), v("0.5.0")));
    assert.ok(!isSemverCompatible(v("0.0.3"), v("0.0.4")));
  });

  test("a pre-release is compatible only with a pre-release of the same major.minor.patch", () => {
    assert.ok(!isSemverCompatible(v("1.2.0"), v("1.3.0-rc.1")));
    assert.ok(isSemverCompatible(v("1.3.0-beta.1"), v("1.3.0-rc.1")));
    assert.ok(isSemverCompatible(v("1.3.0-beta.1"), v("1.3.0")));
    assert.ok(!isSemverCompatible(v("1.3.0-beta.1"), v("1.4.0-rc.1")));
  });
});

describe("candidates derived from an advisory", () => {
  test("the lower bound of each patched and unaffected requirement", () => {
    const a = advisory(
      "RUSTSEC-2020-0001",
      "x",
      [">= 1.4.0, < 2.0.0", "~2.1", "> 2.3.4, < 2.4.0", "=3.0.0", "> 4.0.0-rc.1, < 4.1.0"],
      ["< 0.2.0", ">= 5.0.0"],
    );
    assert.deepEqual(advisoryCandidates(a).map(String).sort(), [
      "1.4.0",
      "2.1.0",
      "2.3.5",
      "3.0.0",
      "4.0.0",
      "5.0.0",
    ]);
    assert.deepEqual(advisoryCandidates(smallvec).map(String), [
      "0.6.3",
      "0.3.4",
      "0.4.5",
      "0.5.1",
    ]);
  });
});

describe("planFixes without an index (candidates from the advisories)", () => {
  test("RUSTSEC-2018-0003: each affected range is fixed within its own minor", () => {
    const cases: [string, string][] = [
      ["0.4.0", "0.4.5"],
      ["0.4.4", "0.4.5"],
      ["0.3.2", "0.3.4"],
      ["0.3.3", "0.3.4"],
      ["0.5.0", "0.5.1"],
      ["0.6.0", "0.6.3"],
      ["0.6.2", "0.6.3"],
    ];
    for (const [from, to] of cases) {
      const step = only(planFixes(report([[pkg("smallvec", from), smallvec]])));
      assert.equal(arrow(step), `smallvec ${from} → ${to}`);
      assert.equal(step.basis, "advisories");
      assert.deepEqual(step.command, [
        "cargo",
        "update",
        "-p",
        `smallvec@${from}`,
        "--precise",
        to,
      ]);
      assert.equal(step.note, null);
    }
  });

  test("a pre-release current version may move to a pre-release or a release", () => {
    // [0.4.0-0, 0.4.5) holds 0.4.0-alpha; ^0.4.0-alpha accepts 0.4.5.
    assert.equal(
      arrow(only(planFixes(report([[pkg("smallvec", "0.4.0-alpha"), smallvec]])))),
      "smallvec 0.4.0-alpha → 0.4.5",
    );
    const hickory = advisory("RUSTSEC-2025-0006", "hickory-proto", [
      "^0.24.3",
      ">= 0.25.0-alpha.5",
    ]);
    assert.equal(
      arrow(only(planFixes(report([[pkg("hickory-proto", "0.25.0-alpha.3"), hickory]])))),
      "hickory-proto 0.25.0-alpha.3 → 0.25.0-alpha.5",
    );
    assert.equal(
      arrow(only(planFixes(report([[pkg("hickory-proto", "0.24.2"), hickory]])))),
      "hickory-proto 0.24.2 → 0.24.3",
    );
  });

  test("a stable current version moves to a pre-release only as a last, breaking resort", () => {
    const a = advisory("RUSTSEC-2020-0002", "y", [">= 1.3.0-rc.1"]);
    const step = only(planFixes(report([[pkg("y", "1.2.0"), a]])));
    assert.equal(arrow(step), "y 1.2.0 → 1.3.0-rc.1 (breaking)");
    assert.equal(step.command, null);
  });

  test("a package with two advisories gets the greater of both fixes, and both are listed", () => {
    const a = advisory("RUSTSEC-2020-0010", "z", [">= 1.2.3"]);
    const b = advisory("RUSTSEC-2020-0011", "z", [">= 1.3.1"]);
    const p = pkg("z", "1.2.0");
    const step = only(
      planFixes(
        report([
          [p, a],
          [p, b],
          [p, a],
        ]),
      ),
    );
    assert.equal(arrow(step), "z 1.2.0 → 1.3.1");
    assert.deepEqual(
      step.advisories.map((x) => x.metadata.id),
      ["RUSTSEC-2020-0010", "RUSTSEC-2020-0011"],
    );
  });

  test("breaking only: no fix within the compatible range", () => {
    const a = advisory("RUSTSEC-2024-0421", "idna", [">= 1.0.0"]);
    const plan = planFixes(report([[pkg("idna", "0.5.0"), a]]));
    const step = only(plan);
    assert.equal(arrow(step), "idna 0.5.0 → 1.0.0 (breaking)");
    assert.equal(step.command, null);
    assert.match(step.note ?? "", /Cargo\.toml/);
    assert.match(step.note ?? "", /cargo update --precise/);
    assert.deepEqual(fixCommands(plan), []);
    assert.equal(planFixesEverything(plan), false);
  });

  test("0.0.z versions are compatible only with themselves", () => {
    const a = advisory("RUSTSEC-2020-0012", "tiny", [">= 0.0.4"]);
    assert.equal(
      arrow(only(planFixes(report([[pkg("tiny", "0.0.3"), a]])))),
      "tiny 0.0.3 → 0.0.4 (breaking)",
    );
  });

  test("patched = [] is unfixable", () => {
    const a = advisory("RUSTSEC-2020-0013", "gone", []);
    const u = onlyUnfixable(planFixes(report([[pkg("gone", "1.0.0"), a]])));
    assert.equal(u.name, "gone");
    assert.equal(u.version.toString(), "1.0.0");
    assert.match(u.reason, /no fixed version exists \(RUSTSEC-2020-0013: patched = \[\]\)/);
    // Even with an index listing newer versions: every version is affected.
    const withIndex = onlyUnfixable(
      planFixes(report([[pkg("gone", "1.0.0"), a]]), {
        available: new Map([["gone", versions("1.0.0", "1.0.1", "2.0.0")]]),
      }),
    );
    assert.equal(withIndex.basis, "index");
    assert.match(withIndex.reason, /no published, non-yanked version newer than 1\.0\.0/);
  });

  test("a fix below the current version's range is no fix (the patched bound is older)", () => {
    // Patched only in the 0.3 series; the current version is in a newer, affected series.
    const a = advisory("RUSTSEC-2020-0014", "old", ["^0.3.4"]);
    const u = onlyUnfixable(planFixes(report([[pkg("old", "0.5.0"), a]])));
    assert.match(u.reason, /name no version newer than 0\.5\.0/);
  });

  test("the note about advisory-derived candidates is there only when they were used", () => {
    const a = advisory("RUSTSEC-2020-0015", "n", [">= 1.0.1"]);
    const derived = planFixes(report([[pkg("n", "1.0.0"), a]]));
    assert.deepEqual(derived.notes, [NOTE_WITHOUT_INDEX]);
    const indexed = planFixes(report([[pkg("n", "1.0.0"), a]]), {
      available: new Map([["n", versions("1.0.0", "1.0.1")]]),
    });
    assert.deepEqual(indexed.notes, []);
    const clean = planFixes(report([]));
    assert.deepEqual(clean, { lockfile: "Cargo.lock", steps: [], unfixable: [], notes: [] });
    assert.equal(planFixesEverything(clean), true);
  });
});

describe("planFixes with an index (published versions)", () => {
  const futures60 = advisory("RUSTSEC-2020-0060", "futures-task", [">= 0.3.6"]);

  test("a yanked candidate is skipped, and listing order does not matter", () => {
    const step = only(
      planFixes(report([[pkg("futures-task", "0.3.4"), futures60]]), {
        available: new Map([
          ["futures-task", versions("0.4.0", "0.3.7", "0.3.6!", "0.3.5", "0.3.4")],
        ]),
      }),
    );
    assert.equal(arrow(step), "futures-task 0.3.4 → 0.3.7");
    assert.equal(step.basis, "index");
  });

  test("only published versions: the advisory's bound is not proposed when it is missing", () => {
    const step = only(
      planFixes(report([[pkg("futures-task", "0.3.4"), futures60]]), {
        available: new Map([["futures-task", versions("0.3.4", "0.3.5", "0.3.8")]]),
      }),
    );
    assert.equal(arrow(step), "futures-task 0.3.4 → 0.3.8");
  });

  test("pre-releases are skipped for a stable current version, used for a pre-release one", () => {
    const a = advisory("RUSTSEC-2020-0016", "p", [">= 1.3.0-rc.1"]);
    const available = new Map([["p", versions("1.2.0", "1.3.0-rc.1", "1.3.0-rc.2", "1.3.0")]]);
    assert.equal(
      arrow(only(planFixes(report([[pkg("p", "1.2.0"), a]]), { available }))),
      "p 1.2.0 → 1.3.0",
    );
    assert.equal(
      arrow(only(planFixes(report([[pkg("p", "1.3.0-beta.1"), a]]), { available }))),
      "p 1.3.0-beta.1 → 1.3.0-rc.1",
    );
  });

  test("a breaking target prefers releases", () => {
    const a = advisory("RUSTSEC-2020-0017", "q", [">= 2.0.0-rc.1"]);
    const available = new Map([["q", versions("1.0.0", "2.0.0-rc.1", "2.0.0", "2.1.0")]]);
    assert.equal(
      arrow(only(planFixes(report([[pkg("q", "1.0.0"), a]]), { available }))),
      "q 1.0.0 → 2.0.0 (breaking)",
    );
  });

  test("a crate the index does not have falls back to the advisories", () => {
    const step = only(
      planFixes(report([[pkg("futures-task", "0.3.4"), futures60]]), {
        available: new Map([["other", versions("1.0.0")]]),
      }),
    );
    assert.equal(step.basis, "advisories");
    assert.equal(step.to.toString(), "0.3.6");
  });
});

describe("planFixes never trades one vulnerability for another", () => {
  test("a target another advisory affects is skipped, and that advisory's fix is learned", () => {
    const a = advisory("RUSTSEC-2020-0020", "w", [">= 1.0.5"]);
    // Introduced in 1.0.3, fixed in 1.0.7: the current 1.0.0 is not affected by it.
    const b = advisory("RUSTSEC-2020-0021", "w", [">= 1.0.7"], ["< 1.0.3"]);
    const current = pkg("w", "1.0.0");
    assert.ok(!isAffected(b.versions.ranges, current.version));
    const vulnerabilitiesAt = (_p: AuditedPackage, at: Version) =>
      [a, b].filter((x) => isAffected(x.versions.ranges, at));
    assert.equal(arrow(only(planFixes(report([[current, a]])))), "w 1.0.0 → 1.0.5");
    const step = only(planFixes(report([[current, a]]), { vulnerabilitiesAt }));
    assert.equal(arrow(step), "w 1.0.0 → 1.0.7");
    assert.deepEqual(
      step.advisories.map((x) => x.metadata.id),
      ["RUSTSEC-2020-0020"],
    );
    const indexed = only(
      planFixes(report([[current, a]]), {
        vulnerabilitiesAt,
        available: new Map([["w", versions("1.0.5", "1.0.6", "1.0.7", "1.0.8")]]),
      }),
    );
    assert.equal(arrow(indexed), "w 1.0.0 → 1.0.7");
  });
});

describe("planFixes on the shared advisory database", () => {
  let db: Database;
  before(() => {
    db = loadDatabase(advisoryDbDir, { useCache: false }).database;
  });

  function lock(packages: [string, string][]): string {
    const crates = packages.map(
      ([name, version]) =>
        `[[package]]\nname = "${name}"\nversion = "${version}"\nsource = "${CRATES_IO}"\n`,
    );
    const deps = packages.map(([name, version]) => `  "${name} ${version}",`).join("\n");
    return `version = 4\n\n[[package]]\nname = "app"\nversion = "0.1.0"\ndependencies = [\n${deps}\n]\n\n${crates.join("\n")}`;
  }

  function auditLock(packages: [string, string][]): AuditReport {
    return auditPackages(db, lockfileAuditInput(parseLockfile(lock(packages), "Cargo.lock")), {
      today: "2026-11-23",
    });
  }

  const vulnerabilitiesAt = (p: AuditedPackage, at: Version) =>
    auditPackages(
      db,
      {
        path: "x",
        packages: [{ ...p, version: at }],
        graph: { paths: () => [], tree: () => null },
      },
      { today: "2026-11-23" },
    ).vulnerabilities.map((x) => x.advisory);

  test("real multi-advisory crates: the greatest fix of all their advisories", () => {
    const plan = planFixes(
      auditLock([
        ["futures-task", "0.3.4"],
        ["gix-path", "0.10.8"],
        ["cosmwasm-vm", "1.2.7"],
        ["h2", "0.3.16"],
        ["libpulse-binding", "1.2.0"],
      ]),
      { vulnerabilitiesAt },
    );
    assert.deepEqual(plan.steps.map(arrow), [
      "cosmwasm-vm 1.2.7 → 1.5.7",
      "futures-task 0.3.4 → 0.3.6",
      "gix-path 0.10.8 → 0.10.11",
      "h2 0.3.16 → 0.4.16 (breaking)",
      "libpulse-binding 1.2.0 → 2.5.0 (breaking)",
    ]);
    const ids = (name: string) =>
      plan.steps.find((s) => s.name === name)?.advisories.map((a) => a.metadata.id);
    assert.deepEqual(ids("futures-task"), ["RUSTSEC-2020-0060", "RUSTSEC-2020-0061"]);
    assert.deepEqual(ids("gix-path"), [
      "RUSTSEC-2024-0355",
      "RUSTSEC-2024-0367",
      "RUSTSEC-2024-0371",
    ]);
    // Every proposed target is clean under the same audit.
    for (const step of plan.steps)
      assert.deepEqual(vulnerabilitiesAt(step.package, step.to), [], arrow(step));
    assert.deepEqual(fixCommands(plan), [
      ["cargo", "update", "-p", "cosmwasm-vm@1.2.7", "--precise", "1.5.7"],
      ["cargo", "update", "-p", "futures-task@0.3.4", "--precise", "0.3.6"],
      ["cargo", "update", "-p", "gix-path@0.10.8", "--precise", "0.10.11"],
    ]);
  });

  test("with the sample crates index: published, non-yanked versions only", async () => {
    const report = auditLock([
      ["base64", "0.5.0"],
      ["chrono", "0.4.19"],
      ["crossbeam-channel", "0.5.12"],
      ["crossbeam-deque", "0.7.2"],
      ["crossbeam-epoch", "0.9.5"],
      ["idna", "0.5.0"],
    ]);
    const index = new LocalIndex(sharedData("crates-index-sample"));
    const available = new Map<string, AvailableVersion[]>();
    for (const v of report.vulnerabilities) {
      const lines = (await index.versions(v.package.name)) ?? [];
      available.set(
        v.package.name,
        lines.map((l) => ({ version: Version.parse(l.vers), yanked: l.yanked })),
      );
    }
    const plan = planFixes(report, { available, vulnerabilitiesAt });
    assert.deepEqual(plan.steps.map(arrow), [
      "base64 0.5.0 → 0.5.2",
      "chrono 0.4.19 → 0.4.20",
      "crossbeam-deque 0.7.2 → 0.7.4",
      "crossbeam-epoch 0.9.5 → 0.9.20",
    ]);
    assert.ok(plan.steps.every((s) => s.basis === "index"));
    // The sample's files stop before the fixes of these two (0.5.15 and 1.0.0).
    assert.deepEqual(
      plan.unfixable.map((u) => `${u.name} ${u.version}`),
      ["crossbeam-channel 0.5.12", "idna 0.5.0"],
    );
    assert.match(
      plan.unfixable[0]?.reason ?? "",
      /patched: >=0\.5\.15; newest in the index: 0\.5\.12/,
    );
    assert.deepEqual(plan.notes, []);
    assert.equal(planFixesEverything(plan), false);

    // Without the index the advisories' bounds are proposed instead.
    const derived = planFixes(report, { vulnerabilitiesAt });
    assert.deepEqual(derived.steps.map(arrow), [
      "base64 0.5.0 → 0.5.2",
      "chrono 0.4.19 → 0.4.20",
      "crossbeam-channel 0.5.12 → 0.5.15",
      "crossbeam-deque 0.7.2 → 0.7.4",
      "crossbeam-epoch 0.9.5 → 0.9.20",
      "idna 0.5.0 → 1.0.0 (breaking)",
    ]);
    assert.deepEqual(derived.notes, [NOTE_WITHOUT_INDEX]);
  });

  test("two locked versions of one crate are two steps", () => {
    const plan = planFixes(
      auditLock([
        ["crossbeam-deque", "0.7.2"],
        ["crossbeam-deque", "0.8.0"],
      ]),
      { vulnerabilitiesAt },
    );
    assert.deepEqual(plan.steps.map(arrow), [
      "crossbeam-deque 0.7.2 → 0.7.4",
      "crossbeam-deque 0.8.0 → 0.8.1",
    ]);
  });
});
