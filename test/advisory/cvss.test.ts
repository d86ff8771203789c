import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { CvssError, parseCvss, severityOf } from "../../src/advisory/cvss.js";
import { parseAdvisory } from "../../src/advisory/parse.js";
import { advisoryDbOsvDir } from "../support/paths.js";
import { readText, realAdvisoryPaths } from "./support.js";

// FIRST "CVSS v3.1 Examples" (https://www.first.org/cvss/v3.1/examples), base metrics.
const V31_EXAMPLES: [string, string, number][] = [
  ["CVE-2013-1937 phpMyAdmin reflected XSS", "AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1],
  ["CVE-2013-0375 MySQL stored SQL injection", "AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4],
  ["CVE-2014-3566 SSLv3 POODLE", "AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N", 3.1],
  ["CVE-2012-1516 VMware guest to host escape", "AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 9.9],
  ["CVE-2009-0783 Apache Tomcat XML parser", "AV:L/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:L", 4.2],
  ["CVE-2012-0384 Cisco IOS command execution", "AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 8.8],
  ["CVE-2015-1098 Apple iWork denial of service", "AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 7.8],
  ["CVE-2014-0160 Heartbleed", "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5],
  ["CVE-2014-6271 Shellshock", "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8],
  ["CVE-2008-1447 DNS Kaminsky bug", "AV:N/AC:H/PR:N/UI:N/S:C/C:N/I:H/A:N", 6.8],
  ["CVE-2014-2005 Sophos login screen bypass", "AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 6.8],
  ["CVE-2010-0467 Joomla directory traversal", "AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:N/A:N", 5.8],
  ["CVE-2012-1342 Cisco ACL bypass", "AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:L/A:N", 5.8],
  ["CVE-2013-6014 Juniper proxy ARP DoS", "AV:A/AC:L/PR:N/UI:N/S:C/C:H/I:N/A:H", 9.3],
  ["CVE-2014-9253 DokuWiki reflected XSS", "AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N", 5.4],
  ["CVE-2011-1265 Windows Bluetooth RCE", "AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 8.8],
  ["CVE-2016-1645 Chrome PDFium RCE", "AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 8.8],
  ["CVE-2016-0128 Badlock", "AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:H/A:N", 6.8],
];

// FIRST CVSS v2 guide §3.3 worked examples (base scores), with and without the other groups.
const V2_EXAMPLES: [string, number][] = [
  ["AV:N/AC:L/Au:N/C:N/I:N/A:C", 7.8], // CVE-2002-0392
  ["AV:N/AC:L/Au:N/C:N/I:N/A:C/E:F/RL:OF/RC:C/CDP:H/TD:H/CR:M/IR:M/AR:H", 7.8],
  ["AV:N/AC:L/Au:N/C:C/I:C/A:C", 10.0], // CVE-2003-0818
  ["AV:L/AC:H/Au:N/C:C/I:C/A:C", 6.2], // CVE-2003-0062
  ["AV:L/AC:H/Au:N/C:C/I:C/A:C/E:POC/RL:OF/RC:C/CDP:H/TD:H/CR:M/IR:M/AR:M", 6.2],
];

// FIRST CVSS v4.0 specification/calculator examples.
const V4_EXAMPLES: [string, number][] = [
  ["CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 9.3],
  ["CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H", 10.0],
  ["CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N", 0.0],
  ["CVSS:4.0/AV:L/AC:L/AT:P/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 7.3],
  ["CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 7.7],
  ["CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U", 5.2],
  ["CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:L/VA:L/SC:N/SI:N/SA:N", 8.3],
  ["CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:A/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N", 4.6],
  ["CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:L/SC:N/SI:N/SA:N", 6.9],
];

describe("CVSS scoring against FIRST examples", () => {
  for (const [name, metrics, score] of V31_EXAMPLES) {
    it(`v3.1 ${name} = ${score}`, () => {
      const cvss = parseCvss(`CVSS:3.1/${metrics}`);
      assert.equal(cvss.version, "3.1");
      assert.equal(cvss.baseScore, score);
      assert.equal(cvss.baseScore, independentV3Score(`CVSS:3.1/${metrics}`));
    });
  }

  it("v3.0 examples (same base equations)", () => {
    for (const [name, metrics, score] of V31_EXAMPLES.slice(0, 10)) {
      assert.equal(parseCvss(`CVSS:3.0/${metrics}`).baseScore, score, name);
    }
  });

  it("v2 guide examples", () => {
    for (const [vector, score] of V2_EXAMPLES) {
      const cvss = parseCvss(vector);
      assert.equal(cvss.version, "2.0");
      assert.equal(cvss.baseScore, score, vector);
    }
  });

  it("v4.0 examples", () => {
    for (const [vector, score] of V4_EXAMPLES) {
      const cvss = parseCvss(vector);
      assert.equal(cvss.version, "4.0");
      assert.equal(cvss.baseScore, score, vector);
    }
  });

  it("keeps the vector verbatim and rates severity by the §2 bands", () => {
    const v = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
    assert.deepEqual(parseCvss(v), {
      vector: v,
      version: "3.1",
      baseScore: 9.8,
      severity: "critical",
    });
    const bands: [number, string][] = [
      [0, "none"],
      [0.1, "low"],
      [3.9, "low"],
      [4.0, "medium"],
      [6.9, "medium"],
      [7.0, "high"],
      [8.9, "high"],
      [9.0, "critical"],
      [10, "critical"],
    ];
    for (const [score, severity] of bands) assert.equal(severityOf(score), severity, String(score));
  });

  it("accepts lower-case v3/v4 metrics like the Rust crate, but not v2", () => {
    assert.equal(parseCvss("CVSS:3.1/av:n/ac:l/pr:n/ui:n/s:u/c:h/i:h/a:h").baseScore, 9.8);
    assert.equal(
      parseCvss("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/U:red").baseScore,
      9.3,
    );
    assert.throws(() => parseCvss("av:N/AC:L/Au:N/C:N/I:N/A:C"), /unknown metric `av`/);
  });
});

describe("CVSS syntax errors", () => {
  const cases: [string, RegExp][] = [
    ["", /empty CVSS vector/],
    ["CVSS:3.1", /invalid CVSS metric group component: `CVSS:3.1`/],
    ["garbage/AV:N", /invalid CVSS metric group component: `garbage`/],
    ["CSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", /invalid CVSS string prefix: `CSS`/],
    ["CVSS:5.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", /unsupported CVSS version: 5.0/],
    ["CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", /invalid value `Q` for metric `AV`/],
    ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H", /missing base metric `A`/],
    ["CVSS:3.1/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", /missing base metric `AV`/],
    ["CVSS:3.1/AV:N/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", /duplicate metric `AV`/],
    ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/XX:H", /unknown metric `XX`/],
    ["CVSS:3.1/AV:N//AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", /empty component/],
    ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/", /empty component/],
    ["CVSS:3.1/AV:N:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", /invalid CVSS metric group component/],
    ["CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", /invalid value `X` for metric `AV`/],
    ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/AT:N", /unknown metric `AT`/],
    ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:", /invalid value `` for metric `A`/],
    ["CVSS:4.0/AV:N/AC:L/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", /missing base metric `AT`/],
    [
      "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:R/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
      /invalid value `R` for metric `UI`/,
    ],
    [
      "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/MSC:S",
      /invalid value `S` for metric `MSC`/,
    ],
    ["AV:N/AC:L/Au:N/C:N/I:N", /missing base metric `A`/],
    ["AV:N/AC:L/Au:N/C:N/I:N/A:C/E:X", /invalid value `X` for metric `E`/],
    ["CVSS:2.0/AV:N/AC:L/Au:N/C:N/I:N/A:C", /unsupported CVSS version: 2.0/],
  ];
  for (const [vector, message] of cases) {
    it(JSON.stringify(vector), () => {
      assert.throws(
        () => parseCvss(vector),
        (e: unknown) => e instanceof CvssError && message.test(e.message),
      );
    });
  }
});

describe("CVSS vectors of the real databases", () => {
  it("every `severity` vector of advisory-db-osv parses", () => {
    const vectors = osvVectors();
    assert.ok(vectors.length > 150, `only ${vectors.length} vectors`);
    for (const v of vectors) assert.doesNotThrow(() => parseCvss(v), v);
  });

  it("the bundled v3.x scores match an independent implementation of the base equations", () => {
    const vectors = new Set(osvVectors());
    for (const path of realAdvisoryPaths()) {
      const r = parseAdvisory(readText(path), path);
      if (r.ok && r.advisory.metadata.cvss !== null) vectors.add(r.advisory.metadata.cvss.vector);
    }
    let checked = 0;
    for (const v of vectors) {
      if (!v.startsWith("CVSS:3.")) continue;
      assert.equal(parseCvss(v).baseScore, independentV3Score(v), v);
      checked++;
    }
    assert.ok(checked > 40, `only ${checked} distinct v3 vectors`);
  });
});

function osvVectors(): string[] {
  const out: string[] = [];
  for (const file of readdirSync(advisoryDbOsvDir)) {
    if (!file.endsWith(".json")) continue;
    const osv = JSON.parse(readFileSync(join(advisoryDbOsvDir, file), "utf8")) as {
      severity?: { type: string; score: string }[];
    };
    for (const s of osv.severity ?? []) out.push(s.score);
  }
  return out;
}

/**
 * CVSS v3.0/v3.1 base score straight from the specification (v3.1 §7.1 and Appendix A;
 * v3.0 §8.1, whose Roundup is a plain ceiling to one decimal).
 */
function independentV3Score(vector: string): number {
  const m = new Map(vector.split("/").map((c) => c.split(":") as [string, string]));
  const changed = m.get("S") === "C";
  const w = (table: Record<string, number>, key: string): number => table[m.get(key) ?? ""] ?? NaN;
  const cia = { H: 0.56, L: 0.22, N: 0 };
  const iss = 1 - (1 - w(cia, "C")) * (1 - w(cia, "I")) * (1 - w(cia, "A"));
  const impact = changed ? 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15 : 6.42 * iss;
  const pr = changed ? { N: 0.85, L: 0.68, H: 0.5 } : { N: 0.85, L: 0.62, H: 0.27 };
  const exploitability =
    8.22 *
    w({ N: 0.85, A: 0.62, L: 0.55, P: 0.2 }, "AV") *
    w({ L: 0.77, H: 0.44 }, "AC") *
    w(pr, "PR") *
    w({ N: 0.85, R: 0.62 }, "UI");
  if (impact <= 0) return 0;
  const raw = Math.min((changed ? 1.08 : 1) * (impact + exploitability), 10);
  if (m.get("CVSS") === "3.0") return Math.ceil(raw * 10) / 10;
  const scaled = Math.round(raw * 100000);
  return scaled % 10000 === 0 ? scaled / 100000 : (Math.floor(scaled / 10000) + 1) / 10;
}
