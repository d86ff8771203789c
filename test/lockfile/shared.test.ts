/** The real lockfiles in ../shared/data/lockfiles (cargo-deny and rustsec, 2019–2026, formats 1–4). */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import {
  isCratesIo,
  type Lockfile,
  type LockPackage,
  packageKey,
  parseLockfile,
  parseLockfileBytes,
  readLockfile,
} from "../../src/lockfile/index.js";
import { readCargoSubset, readWithSmolToml } from "../../src/lockfile/raw.js";
import { plain, sharedLockfiles } from "./helpers.js";

const files = sharedLockfiles();
const parsed = new Map<string, Lockfile>(files.map((f) => [f.name, parseLockfile(f.text, f.path)]));
const lockfile = (name: string): Lockfile => parsed.get(name) as Lockfile;

/** Format version from the text, decided independently of the parser. */
function expectedFormat(text: string): number {
  const m = /^version = (\d+)$/m.exec(text);
  if (m) return Number(m[1]);
  return /^\[metadata\]$/m.test(text) && /^"checksum /m.test(text) ? 1 : 2;
}

/** The `dependencies` entries of the package block starting at `line` (1-based), from the text. */
function dependencyEntries(lines: readonly string[], line: number): string[] {
  const out: string[] = [];
  let i = line; // the line after the header
  while (i < lines.length && lines[i] !== "" && !lines[i]?.startsWith("[")) {
    if (lines[i] === "dependencies = [") {
      for (i++; lines[i] !== "]"; i++) out.push((lines[i] as string).trim().replace(/^"|",$/g, ""));
    }
    i++;
  }
  return out;
}

describe("shared lockfiles", () => {
  it("are all here, in formats 1 to 4", () => {
    assert.ok(files.length >= 30, `only ${files.length} lockfiles`);
    const formats = new Set(files.map((f) => lockfile(f.name).formatVersion));
    assert.deepEqual([...formats].sort(), [1, 2, 3, 4]);
  });

  for (const f of files) {
    describe(f.name, () => {
      const lf = lockfile(f.name);
      const lines = f.text.split("\n");

      it("has one package per [[package]] header, each at its header's line", () => {
        const headers = f.text.match(/^\[\[package\]\]$/gm)?.length ?? 0;
        assert.equal(lf.packages.length, headers);
        for (const p of lf.packages) {
          assert.equal(lines[p.line - 1], "[[package]]", `${p.key} line ${p.line}`);
          assert.equal(lines[p.line], `name = "${p.name}"`);
          assert.equal(lines[p.line + 1], `version = "${p.version}"`);
        }
        assert.deepEqual(
          lf.packages.map((p) => p.index),
          lf.packages.map((_, i) => i),
        );
      });

      it("detects the format version", () => {
        assert.equal(lf.formatVersion, expectedFormat(f.text));
      });

      it("has the checksums of the file (inline, or from [metadata] in format 1)", () => {
        const metadata = new Map<string, string>();
        for (const m of f.text.matchAll(/^"checksum (\S+) (\S+) \(([^)]+)\)" = "([^"]+)"$/gm)) {
          metadata.set(`${m[1]} ${m[2]} ${m[3]}`, m[4] as string);
        }
        for (const p of lf.packages) {
          if (lf.formatVersion === 1) {
            const raw = p.source === null ? undefined : p.source.raw.replace(/#.*$/, "");
            const v = metadata.get(`${p.name} ${p.version} ${raw}`);
            assert.equal(p.checksum, v === undefined || v === "<none>" ? null : v, p.key);
          } else {
            const block = lines.slice(p.line, p.line + 4).find((l) => l.startsWith("checksum = "));
            assert.equal(p.checksum, block === undefined ? null : block.slice(12, -1), p.key);
          }
        }
        if (lf.formatVersion === 1) {
          assert.ok(lf.packages.some((p) => p.checksum !== null));
          assert.ok(![...lf.metadata.keys()].some((k) => k.startsWith("checksum ")));
        }
      });

      it("resolves every dependency entry to the package it names", () => {
        for (const p of lf.packages) {
          const entries = dependencyEntries(lines, p.line);
          assert.equal(p.dependencies.length, entries.length, p.key);
          entries.forEach((entry, i) => {
            const dep = p.dependencies[i] as LockPackage;
            const [name, version, source] = entry.split(" ");
            assert.equal(dep.name, name);
            if (version !== undefined) assert.equal(dep.version.toString(), version);
            if (source !== undefined) {
              assert.equal(dep.source?.raw.replace(/#.*$/, ""), source.slice(1, -1));
            }
            assert.equal(lf.packages[dep.index], dep);
          });
        }
      });

      it("gives every package a unique key", () => {
        const keys = new Set(lf.packages.map(packageKey));
        assert.equal(keys.size, lf.packages.length);
      });

      it("has roots, which are the path packages nothing depends on", () => {
        const roots = lf.roots();
        assert.ok(roots.length > 0);
        assert.ok(roots.some((r) => r.source === null));
        const dependedOn = new Set(lf.packages.flatMap((p) => p.dependencies));
        for (const r of roots) assert.ok(!dependedOn.has(r), `${r.key} is depended on`);
        for (const p of lf.packages) {
          if (!dependedOn.has(p)) assert.ok(roots.includes(p), `${p.key} should be a root`);
        }
        // In these workspaces every registry package is reached from a workspace member.
        assert.ok(roots.every((r) => r.source === null));
      });

      it("finds shortest paths from the roots to every package", () => {
        const g = lf.graph;
        for (const p of lf.packages) {
          const paths = g.pathsFromRoots(p);
          assert.ok(paths.length >= 1 && paths.length <= 3, `${p.key}: ${paths.length} paths`);
          for (const path of paths) {
            assert.ok(g.isRoot(path[0] as LockPackage));
            assert.equal(path.at(-1), p);
            assert.equal(new Set(path).size, path.length);
            for (let i = 1; i < path.length; i++) {
              assert.ok((path[i - 1] as LockPackage).dependencies.includes(path[i] as LockPackage));
            }
          }
          // The first path is a shortest one; each root's paths come shortest first.
          const lengths = paths.map((path) => path.length);
          assert.equal(lengths[0], Math.min(...lengths));
          for (let i = 1; i < paths.length; i++) {
            for (let j = 0; j < i; j++) {
              if (paths[j]?.[0] === paths[i]?.[0])
                assert.ok((lengths[j] as number) <= (lengths[i] as number));
            }
          }
          if (g.isRoot(p)) {
            assert.equal(paths[0]?.length, 1);
            assert.equal(paths[0]?.[0], p);
          }
        }
      });

      it("builds the inverse tree with every dependent once", () => {
        const g = lf.graph;
        for (const p of lf.packages.slice(0, 60)) {
          const tree = g.inverseTree(p);
          const expanded = new Set<LockPackage>();
          const stack = [tree];
          while (stack.length > 0) {
            const node = stack.pop();
            if (node === undefined) break;
            if (node.repeated) {
              assert.equal(node.children.length, 0);
              continue;
            }
            assert.ok(!expanded.has(node.package), `${node.package.key} expanded twice`);
            expanded.add(node.package);
            const dependents = g.dependents(node.package);
            assert.equal(node.children.length, dependents.length);
            node.children.forEach((c, i) => {
              assert.equal(c.package, dependents[i]);
            });
            stack.push(...node.children);
          }
          // Every package that (transitively) depends on p is in the tree; roots are leaves.
          const up = new Set<LockPackage>([p]);
          const todo = [p];
          for (let q = todo.pop(); q !== undefined; q = todo.pop()) {
            for (const d of g.dependents(q)) {
              if (!up.has(d)) {
                up.add(d);
                todo.push(d);
              }
            }
          }
          assert.equal(expanded.size, up.size);
        }
      });

      it("reads the same with the line reader and with smol-toml", () => {
        const fast = readCargoSubset(f.text);
        assert.ok(fast !== null, "the line reader gave up on a file Cargo wrote");
        // Every package of a file Cargo wrote is read by the whole-block path (the line loop
        // would have left the names unverified), and the line loop alone reads the same.
        assert.ok(fast.namesVerified, "a package was not read by the block path");
        assert.ok(fast.checksumsVerified && fast.stringListsOnly);
        const lines = readCargoSubset(f.text, false);
        assert.ok(lines !== null);
        assert.deepEqual(plain(fast.table), plain(lines.table));
        assert.deepEqual(fast.packageLines, lines.packageLines);
        assert.equal(fast.metadataLine, lines.metadataLine);
        const slow = readWithSmolToml(f.text);
        assert.deepEqual(plain(fast.table), plain(slow.table));
        assert.deepEqual(fast.packageLines, slow.packageLines);
        assert.deepEqual(fast.patchLines, slow.patchLines);
        assert.equal(fast.metadataLine, slow.metadataLine);
        const viaSmol = parseLockfile(f.text, f.path, { reader: "smol-toml" });
        assert.deepEqual(viaSmol.packages.map(summary), lf.packages.map(summary));
      });

      it("parses the same from bytes and from disk", () => {
        const fromBytes = parseLockfileBytes(readFileSync(f.path), f.path);
        assert.deepEqual(fromBytes.packages.map(summary), lf.packages.map(summary));
        assert.deepEqual(readLockfile(f.path).packages.map(summary), lf.packages.map(summary));
      });
    });
  }

  it("knows crates.io packages", () => {
    const lf = lockfile("rustsec-2026-08-13-7fad63bd.lock");
    const registry = lf.packages.filter((p) => p.source !== null);
    assert.ok(registry.length > 300);
    assert.ok(registry.every((p) => isCratesIo(p.source)));
    assert.ok(lf.packages.filter((p) => p.source === null).every((p) => !isCratesIo(p.source)));
  });

  it("resolves a git package and its abbreviated dependency reference (format 1)", () => {
    const lf = lockfile("cargo-deny-2020-01-15-2ac5e1d.lock");
    assert.equal(lf.formatVersion, 1);
    const [rustsec] = lf.find("rustsec");
    assert.ok(rustsec?.source);
    assert.equal(rustsec.source.kind, "git");
    assert.equal(rustsec.source.precise, "aaba369bebc4fcfb9133b1379bcf430b707188a2");
    assert.deepEqual(rustsec.source.gitReference, { kind: "rev", value: "aaba369" });
    assert.equal(rustsec.source.url, "https://github.com/RustSec/rustsec-crate.git?rev=aaba369");
    assert.equal(rustsec.checksum, null); // "<none>" in [metadata]
    const [deny] = lf.find("cargo-deny");
    assert.ok(deny?.dependencies.includes(rustsec));
    assert.ok(!isCratesIo(rustsec.source));
  });

  it("tells apart a path package and a registry package of the same name and version", () => {
    const lf = lockfile("rustsec-2023-03-22-da8597d7.lock");
    const both = lf.find("cargo-lock", "8.0.3");
    assert.equal(both.length, 2);
    const path = both.find((p) => p.source === null) as LockPackage;
    const registry = both.find((p) => p.source !== null) as LockPackage;
    assert.equal(packageKey(path), "cargo-lock@8.0.3 (path)");
    assert.equal(packageKey(registry), `cargo-lock@8.0.3 (${registry.source?.raw})`);
    const [rustsec] = lf.find("rustsec");
    assert.ok(rustsec?.dependencies.includes(registry));
    assert.ok(!rustsec?.dependencies.includes(path));
    assert.ok(lf.roots().includes(path));
  });
});

function summary(p: LockPackage): unknown {
  return {
    key: p.key,
    line: p.line,
    source: p.source?.raw ?? null,
    checksum: p.checksum,
    dependencies: p.dependencies.map((d) => d.key),
  };
}
