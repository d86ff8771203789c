import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type DependencyTreeNode,
  type Lockfile,
  type LockPackage,
  parseLockfile,
  renderTree,
} from "../../src/lockfile/index.js";
import { CRATES_IO, lockText, pkg, sharedLockfiles } from "./helpers.js";

/** A lockfile from `name -> deps` (all version 1.0.0; names starting with `ws` are path packages). */
function graphLockfile(edges: Record<string, string[]>): Lockfile {
  const names = Object.keys(edges).sort();
  return parseLockfile(
    lockText(
      4,
      ...names.map((n) =>
        pkg(n, "1.0.0", {
          ...(n.startsWith("ws") ? {} : { source: CRATES_IO }),
          dependencies: edges[n] ?? [],
        }),
      ),
    ),
    "Cargo.lock",
  );
}

const one = (lf: Lockfile, name: string): LockPackage => lf.find(name)[0] as LockPackage;
const names = (path: readonly LockPackage[]): string => path.map((p) => p.name).join(" > ");

function shape(node: DependencyTreeNode): unknown {
  const label = `${node.package.name}${node.repeated ? " (*)" : ""}`;
  return node.children.length === 0 ? label : { [label]: node.children.map(shape) };
}

describe("dependency graph", () => {
  const diamond = graphLockfile({
    "ws-app": ["a", "b", "ws-lib"],
    "ws-lib": ["c"],
    "ws-tool": ["b"],
    a: ["c"],
    b: ["d"],
    c: ["vuln"],
    d: ["vuln"],
    vuln: [],
  });

  it("has dependents (inverse edges) in lockfile order", () => {
    assert.deepEqual(
      diamond.graph.dependents(one(diamond, "vuln")).map((p) => p.name),
      ["c", "d"],
    );
    assert.deepEqual(
      diamond.graph.dependents(one(diamond, "b")).map((p) => p.name),
      ["ws-app", "ws-tool"],
    );
    assert.deepEqual(diamond.graph.dependents(one(diamond, "ws-app")), []);
    assert.equal(diamond.graph, diamond.graph); // built once
  });

  it("has the packages nothing depends on as roots", () => {
    assert.deepEqual(
      diamond.roots().map((p) => p.name),
      ["ws-app", "ws-tool"],
    );
    assert.ok(diamond.graph.isRoot(one(diamond, "ws-tool")));
    assert.ok(!diamond.graph.isRoot(one(diamond, "ws-lib")));
  });

  it("gives the shortest path through each direct dependency, each root's best first", () => {
    const paths = diamond.graph.pathsFromRoots(one(diamond, "vuln"), 10);
    assert.deepEqual(paths.map(names), [
      "ws-app > a > c > vuln",
      "ws-tool > b > d > vuln", // every root's shortest path first
      "ws-app > b > d > vuln",
      "ws-app > ws-lib > c > vuln",
    ]);
    assert.deepEqual(
      diamond.graph.pathsFromRoots(one(diamond, "vuln")).map(names),
      paths.slice(0, 3).map(names),
    );
    assert.deepEqual(diamond.graph.pathsFromRoots(one(diamond, "vuln"), 1).map(names), [
      "ws-app > a > c > vuln",
    ]);
    assert.deepEqual(diamond.graph.pathsFromRoots(one(diamond, "vuln"), 0), []);
    assert.deepEqual(diamond.graph.pathsFromRoots(one(diamond, "ws-tool")).map(names), ["ws-tool"]);
    assert.deepEqual(diamond.graph.pathsFromRoots(one(diamond, "b")).map(names), [
      "ws-app > b",
      "ws-tool > b",
    ]);
  });

  it("builds the inverse tree, expanding each package once", () => {
    const tree = diamond.graph.inverseTree(one(diamond, "vuln"));
    assert.deepEqual(shape(tree), {
      vuln: [
        { c: [{ a: ["ws-app"] }, { "ws-lib": ["ws-app (*)"] }] },
        { d: [{ b: ["ws-app (*)", "ws-tool"] }] },
      ],
    });
    assert.equal(
      renderTree(tree),
      [
        "vuln 1.0.0",
        "├── c 1.0.0",
        "│   ├── a 1.0.0",
        "│   │   └── ws-app 1.0.0",
        "│   └── ws-lib 1.0.0",
        "│       └── ws-app 1.0.0",
        "└── d 1.0.0",
        "    └── b 1.0.0",
        "        ├── ws-app 1.0.0",
        "        └── ws-tool 1.0.0",
        "",
      ].join("\n"),
    );
  });

  it("survives cycles (dev-dependencies can make them), keeping every package reachable", () => {
    // ws-a and ws-b depend on each other; x -> y -> x hangs off them.
    const lf = graphLockfile({ "ws-a": ["ws-b", "x"], "ws-b": ["ws-a"], x: ["y"], y: ["x"] });
    assert.deepEqual(
      lf.roots().map((p) => p.name),
      ["ws-a"],
    );
    assert.deepEqual(lf.graph.pathsFromRoots(one(lf, "y")).map(names), ["ws-a > x > y"]);
    assert.deepEqual(lf.graph.pathsFromRoots(one(lf, "ws-b")).map(names), ["ws-a > ws-b"]);
    assert.deepEqual(shape(lf.graph.inverseTree(one(lf, "x"))), {
      x: [{ "ws-a": [{ "ws-b": ["ws-a (*)"] }] }, { y: ["x (*)"] }],
    });
    // A cycle of registry packages alone: one of them becomes a root.
    const lone = graphLockfile({ "ws-app": [], p: ["q"], q: ["p"] });
    assert.deepEqual(
      lone.roots().map((p) => p.name),
      ["p", "ws-app"],
    );
    assert.deepEqual(lone.graph.pathsFromRoots(one(lone, "q")).map(names), ["p > q"]);
  });

  it("refuses a package of another lockfile", () => {
    const other = graphLockfile({ "ws-app": [] });
    assert.throws(() => diamond.graph.dependents(one(other, "ws-app")), /not from Cargo\.lock/);
  });

  it("is fast on the shared lockfiles: graph plus paths and trees for every package", () => {
    for (const f of sharedLockfiles()) {
      const lf = parseLockfile(f.text, f.path);
      for (const p of lf.packages) {
        assert.ok(lf.graph.pathsFromRoots(p).length > 0);
        lf.graph.inverseTree(p);
      }
    }
  });
});
