/**
 * The dependency graph of a lockfile, built once (`Lockfile.graph`): who depends on whom, the
 * roots, the shortest paths from a root to a package (which workspace member, and which of its
 * direct dependencies, pulls a package in), and the inverse tree cargo-audit prints.
 *
 * Edges are the resolved `dependencies` of each package, plus replaced → replacement for the
 * old `[replace]` feature (a replacement is what is actually built). Cargo.lock has no
 * dev/build/target distinction, so neither has this graph.
 */
import type { Lockfile, LockPackage } from "./model.js";

/** A node of `inverseTree`: a package and the packages depending on it. */
export interface DependencyTreeNode {
  readonly package: LockPackage;
  /** Dependents in lockfile order; empty for a root and for a repeated node. */
  readonly children: readonly DependencyTreeNode[];
  /** The package was already shown earlier in the tree, so it is not expanded again. */
  readonly repeated: boolean;
}

export class DependencyGraph {
  /**
   * Packages nothing depends on: cargo-lock's `Tree::roots()` (petgraph externals), which in a
   * lockfile Cargo wrote are the workspace members. A dependency cycle (possible through
   * dev-dependencies and `[patch]`) can leave packages that no such root reaches; for each such
   * group one package is added as a root too (a path package if possible), so every package is
   * reachable from some root. In lockfile order.
   */
  readonly roots: readonly LockPackage[];
  readonly #packages: readonly LockPackage[];
  /** Outgoing edges by package index (dependencies, then the replacement). */
  readonly #out: readonly (readonly LockPackage[])[];
  /** Incoming edges by package index, in lockfile order. */
  readonly #in: readonly (readonly LockPackage[])[];
  readonly #isRoot: Uint8Array;

  constructor(readonly lockfile: Lockfile) {
    const packages = lockfile.packages;
    this.#packages = packages;
    const n = packages.length;
    const out: LockPackage[][] = new Array(n);
    const inn: LockPackage[][] = new Array(n);
    for (let i = 0; i < n; i++) inn[i] = [];
    for (let i = 0; i < n; i++) {
      const p = packages[i] as LockPackage;
      let edges = p.dependencies as LockPackage[];
      if (p.replace !== null && !edges.includes(p.replace)) edges = [...edges, p.replace];
      out[i] = edges;
      for (const d of edges) (inn[d.index] as LockPackage[]).push(p);
    }
    this.#out = out;
    this.#in = inn;

    const isRoot = new Uint8Array(n);
    const reached = new Uint8Array(n);
    const stack: number[] = [];
    const reach = (start: number): void => {
      stack.push(start);
      reached[start] = 1;
      while (stack.length > 0) {
        for (const d of out[stack.pop() as number] as LockPackage[]) {
          if (reached[d.index] === 0) {
            reached[d.index] = 1;
            stack.push(d.index);
          }
        }
      }
    };
    for (let i = 0; i < n; i++) {
      if ((inn[i] as LockPackage[]).length === 0) {
        isRoot[i] = 1;
        reach(i);
      }
    }
    // Only cycles are left unreached; path packages first, then in lockfile order.
    for (const pass of [true, false]) {
      for (let i = 0; i < n; i++) {
        if (reached[i] === 0 && ((packages[i] as LockPackage).source === null) === pass) {
          isRoot[i] = 1;
          reach(i);
        }
      }
    }
    this.#isRoot = isRoot;
    this.roots = packages.filter((p) => isRoot[p.index] === 1);
  }

  isRoot(pkg: LockPackage): boolean {
    return this.#isRoot[this.#own(pkg)] === 1;
  }

  /** Packages that list `pkg` as a dependency (or replacement), in lockfile order. */
  dependents(pkg: LockPackage): readonly LockPackage[] {
    return this.#in[this.#own(pkg)] as LockPackage[];
  }

  /** `pkg.dependencies`, plus its replacement if any. */
  dependencies(pkg: LockPackage): readonly LockPackage[] {
    return this.#out[this.#own(pkg)] as LockPackage[];
  }

  /**
   * Shortest dependency paths from a root to `pkg`, each root first and `pkg` last, at most
   * `limit`. The candidates are, for every root and each of its direct dependencies leading to
   * `pkg`, the shortest path through that direct dependency; they come as each root's shortest
   * path (shortest first, ties in lockfile order), then each root's second shortest, and so on.
   * So the first path is a shortest one overall, and with the default limit of 3 one sees up
   * to three different ways `pkg` gets into the build, from different workspace members first.
   * A root gives `[pkg]`. BFS from `pkg` up the inverse edges: O(packages + edges).
   */
  pathsFromRoots(pkg: LockPackage, limit = 3): LockPackage[][] {
    const target = this.#own(pkg);
    if (limit <= 0) return [];
    const n = this.#packages.length;
    // dist[i] = length of the shortest path from i down to the target, -1 if none.
    const dist = new Int32Array(n).fill(-1);
    const queue = new Int32Array(n);
    let head = 0;
    let tail = 0;
    dist[target] = 0;
    queue[tail++] = target;
    while (head < tail) {
      const i = queue[head++] as number;
      const next = (dist[i] as number) + 1;
      for (const p of this.#in[i] as LockPackage[]) {
        if (dist[p.index] === -1) {
          dist[p.index] = next;
          queue[tail++] = p.index;
        }
      }
    }

    // Candidates: (root, via) with via = -1 for the target itself being a root. `rank` is the
    // candidate's place among its root's candidates by length, so that every root's shortest
    // path comes before any root's second one.
    type Candidate = { root: number; via: number; length: number; rank: number; order: number };
    const candidates: Candidate[] = [];
    for (const root of this.roots) {
      const r = root.index;
      if (dist[r] === -1) continue;
      const mine: Candidate[] = [];
      if (r === target) mine.push({ root: r, via: -1, length: 0, rank: 0, order: 0 });
      else {
        for (const d of this.#out[r] as LockPackage[]) {
          const dd = dist[d.index] as number;
          if (dd !== -1) mine.push({ root: r, via: d.index, length: dd + 1, rank: 0, order: 0 });
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

    const paths: LockPackage[][] = [];
    for (const c of candidates) {
      if (paths.length >= limit) break;
      const path = [this.#packages[c.root] as LockPackage];
      if (c.via !== -1) {
        let i = c.via;
        path.push(this.#packages[i] as LockPackage);
        while (i !== target) {
          const want = (dist[i] as number) - 1;
          const step = (this.#out[i] as LockPackage[]).find((d) => dist[d.index] === want);
          if (step === undefined) break; // cannot happen: dist came from these edges
          i = step.index;
          path.push(step);
        }
      }
      // Through a cycle the root could come back; such a path is not a simple one.
      if (new Set(path).size === path.length) paths.push(path);
    }
    return paths;
  }

  /**
   * The inverse dependency tree of `pkg` (its dependents, their dependents, … up to the roots),
   * as cargo-audit prints under "Dependency tree:". Depth-first in lockfile order; a package
   * is expanded the first time it appears and shown as a `repeated` leaf afterwards, which also
   * stops cycles.
   */
  inverseTree(pkg: LockPackage): DependencyTreeNode {
    const start = this.#own(pkg);
    const seen = new Uint8Array(this.#packages.length);
    seen[start] = 1;
    type Node = { package: LockPackage; children: Node[]; repeated: boolean };
    const rootNode: Node = { package: pkg, children: [], repeated: false };
    const stack: { node: Node; next: number }[] = [{ node: rootNode, next: 0 }];
    while (stack.length > 0) {
      const frame = stack[stack.length - 1] as { node: Node; next: number };
      const dependents = this.#in[frame.node.package.index] as LockPackage[];
      if (frame.next >= dependents.length) {
        stack.pop();
        continue;
      }
      const d = dependents[frame.next++] as LockPackage;
      if (seen[d.index] === 1) {
        frame.node.children.push({ package: d, children: [], repeated: true });
      } else {
        seen[d.index] = 1;
        const child: Node = { package: d, children: [], repeated: false };
        frame.node.children.push(child);
        stack.push({ node: child, next: 0 });
      }
    }
    return rootNode;
  }

  #own(pkg: LockPackage): number {
    if (this.#packages[pkg.index] !== pkg) {
      throw new Error(`package ${pkg.key} is not from ${this.lockfile.path}`);
    }
    return pkg.index;
  }
}

export interface TreeSymbols {
  readonly down: string;
  readonly tee: string;
  readonly ell: string;
  readonly right: string;
}

/** cargo-lock's default box-drawing symbols. */
export const TREE_SYMBOLS: TreeSymbols = { down: "│", tee: "├", ell: "└", right: "─" };

/**
 * Renders a tree the way cargo-lock's `Tree::render` does (`name version` per line, repeated
 * nodes shown but not expanded). Ends with a newline.
 */
export function renderTree(tree: DependencyTreeNode, symbols: TreeSymbols = TREE_SYMBOLS): string {
  const lines: string[] = [];
  // Iterative pre-order walk; `levels[k]` says whether level k has more siblings below.
  const stack: { node: DependencyTreeNode; levels: readonly boolean[] }[] = [
    { node: tree, levels: [] },
  ];
  while (stack.length > 0) {
    const { node, levels } = stack.pop() as { node: DependencyTreeNode; levels: boolean[] };
    let prefix = "";
    if (levels.length > 0) {
      for (let k = 0; k < levels.length - 1; k++) prefix += `${levels[k] ? symbols.down : " "}   `;
      prefix += `${levels[levels.length - 1] ? symbols.tee : symbols.ell}${symbols.right}${symbols.right} `;
    }
    lines.push(`${prefix}${node.package.name} ${node.package.version}`);
    for (let i = node.children.length - 1; i >= 0; i--) {
      stack.push({
        node: node.children[i] as DependencyTreeNode,
        levels: [...levels, i < node.children.length - 1],
      });
    }
  }
  return `${lines.join("\n")}\n`;
}
