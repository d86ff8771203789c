/**
 * How a binary scan (`cratesec audit bin`, specs/rustsec.md §5) becomes an AuditInput: the
 * embedded packages as lockfile-like packages, and the dependency graph of the cargo-auditable
 * data for paths and inverse trees. Mirrors `lockfile-input.ts`.
 */
import type { Advisory } from "../advisory/model.js";
import { type BinaryFormat, type BinaryScanResult, osApplies } from "../binary/index.js";
import { CRATES_IO_REGISTRY_SOURCE } from "../lockfile/index.js";
import { type AuditInput, type DependencyGraph, noGraph } from "./audit.js";
import type { AuditedPackage, DependentsTree } from "./report.js";

/** How many paths `paths()` returns at most, as for lockfiles. */
const PATH_LIMIT = 3;

/**
 * Only `crates.io` packages get the crates.io source (§5 step 5); `git`, `local`, `registry`
 * and unknown sources get none, so advisories never match them.
 */
function sourceOf(source: string): string | null {
  return source === "crates.io" ? CRATES_IO_REGISTRY_SOURCE : null;
}

/**
 * The audit's view of a scanned binary. Complete audit data keeps its graph: `paths(pkg)` are
 * the shortest paths from the root package (the binary's own crate) down to `pkg`, and
 * `tree(pkg)` is the inverse dependency tree up to the root. Recovered panic-path crates
 * (incomplete results) have no graph.
 */
export function binaryAuditInput(path: string, result: BinaryScanResult): AuditInput {
  const bin = result.packages;
  const packages: AuditedPackage[] = bin.map((p) => ({
    name: p.name,
    version: p.version,
    source: sourceOf(p.source),
    checksum: null,
    dependencies: p.dependencies.flatMap((i) => {
      const d = bin[i];
      return d === undefined
        ? []
        : [{ name: d.name, version: d.version.toString(), source: sourceOf(d.source) }];
    }),
    line: null,
  }));
  if (result.kind !== "complete") return { path, packages, graph: noGraph };
  const edges = bin.map((p) => p.dependencies.filter((i) => i >= 0 && i < bin.length));
  return {
    path,
    packages,
    graph: indexGraph(
      packages,
      edges,
      bin.map((p) => p.root),
    ),
  };
}

/**
 * For `AuditOptions.advisoryApplies`: drop advisories whose `os` list cannot run a binary of
 * this format (§5 step 7).
 */
export function binaryAdvisoryFilter(format: BinaryFormat): (advisory: Advisory) => boolean {
  return (advisory) => osApplies(format, advisory.affected?.os ?? []);
}

/**
 * A DependencyGraph over `packages` where `out[i]` are the indexes package `i` depends on.
 * The roots are the marked root, then (for robustness, e.g. a merged fat Mach-O) any other
 * package nothing depends on; audit data is validated acyclic, so every package is reachable.
 */
function indexGraph(
  packages: readonly AuditedPackage[],
  out: readonly (readonly number[])[],
  marked: readonly boolean[],
): DependencyGraph {
  const n = packages.length;
  const index = new Map<AuditedPackage, number>(packages.map((p, i) => [p, i]));
  const inn: number[][] = Array.from({ length: n }, () => []);
  out.forEach((deps, i) => {
    for (const d of new Set(deps)) (inn[d] as number[]).push(i);
  });
  const roots: number[] = [];
  for (let i = 0; i < n; i++) if (marked[i]) roots.push(i);
  for (let i = 0; i < n; i++) if (!marked[i] && (inn[i] as number[]).length === 0) roots.push(i);

  const paths = (target: number): AuditedPackage[][] => {
    // dist[i] = length of the shortest path from i down to the target, -1 if none.
    const dist = new Int32Array(n).fill(-1);
    const queue = [target];
    dist[target] = 0;
    for (let head = 0; head < queue.length; head++) {
      const i = queue[head] as number;
      for (const p of inn[i] as number[]) {
        if (dist[p] === -1) {
          dist[p] = (dist[i] as number) + 1;
          queue.push(p);
        }
      }
    }
    // For every root and each direct dependency leading to the target, the shortest path
    // through it: each root's shortest first, then each root's second shortest, and so on.
    type Candidate = { root: number; via: number; length: number; rank: number; order: number };
    const candidates: Candidate[] = [];
    for (const r of roots) {
      if (dist[r] === -1) continue;
      const mine: Candidate[] = [];
      if (r === target) mine.push({ root: r, via: -1, length: 0, rank: 0, order: 0 });
      else {
        for (const d of new Set(out[r])) {
          const dd = dist[d] as number;
          if (dd !== -1) mine.push({ root: r, via: d, length: dd + 1, rank: 0, order: 0 });
        }
      }
      mine.sort((a, b) => a.length - b.length);
      mine.forEach((c, k) => {
        c.rank = k;
        c.order = candidates.length;
        candidates.push(c);
      });
    }
    candidates.sort((a, b) => a.rank - b.rank || a.length - b.length || a.order - b.order);
    const result: AuditedPackage[][] = [];
    for (const c of candidates.slice(0, PATH_LIMIT)) {
      const chain = [c.root];
      if (c.via !== -1) {
        let i = c.via;
        chain.push(i);
        while (i !== target) {
          const want = (dist[i] as number) - 1;
          const step = (out[i] as readonly number[]).find((d) => dist[d] === want);
          if (step === undefined) break; // cannot happen: dist came from these edges
          i = step;
          chain.push(i);
        }
      }
      result.push(chain.map((i) => packages[i] as AuditedPackage));
    }
    return result;
  };

  const tree = (start: number): DependentsTree => {
    // Depth-first in package order; each package is expanded once, later occurrences are
    // leaves, `elided` when they do have dependents that were left out.
    type Node = { package: AuditedPackage; dependents: Node[]; elided: boolean };
    const seen = new Uint8Array(n);
    seen[start] = 1;
    const top: Node = { package: packages[start] as AuditedPackage, dependents: [], elided: false };
    const stack: { node: Node; at: number; next: number }[] = [{ node: top, at: start, next: 0 }];
    while (stack.length > 0) {
      const frame = stack[stack.length - 1] as { node: Node; at: number; next: number };
      const dependents = inn[frame.at] as number[];
      if (frame.next >= dependents.length) {
        stack.pop();
        continue;
      }
      const d = dependents[frame.next++] as number;
      const pkg = packages[d] as AuditedPackage;
      if (seen[d] === 1) {
        frame.node.dependents.push({
          package: pkg,
          dependents: [],
          elided: (inn[d] as number[]).length > 0,
        });
      } else {
        seen[d] = 1;
        const child: Node = { package: pkg, dependents: [], elided: false };
        frame.node.dependents.push(child);
        stack.push({ node: child, at: d, next: 0 });
      }
    }
    return top;
  };

  return {
    paths: (pkg) => {
      const i = index.get(pkg);
      return i === undefined ? [] : paths(i);
    },
    tree: (pkg) => {
      const i = index.get(pkg);
      return i === undefined ? null : tree(i);
    },
  };
}
