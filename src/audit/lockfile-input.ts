import type { DependencyTreeNode, Lockfile, LockPackage } from "../lockfile/index.js";
import type { AuditInput, DependencyGraph } from "./audit.js";
import type { AuditedPackage, DependentsTree, PackageRef } from "./report.js";

/** A lockfile package as the audit sees it; the dependency list is only built if a report asks. */
class AuditedLockPackage implements AuditedPackage {
  readonly name: string;
  readonly version: LockPackage["version"];
  readonly source: string | null;
  readonly checksum: string | null;
  readonly line: number | null;
  readonly #pkg: LockPackage;
  #dependencies: PackageRef[] | undefined;

  constructor(pkg: LockPackage) {
    this.#pkg = pkg;
    this.name = pkg.name;
    this.version = pkg.version;
    this.source = pkg.source?.raw ?? null;
    this.checksum = pkg.checksum;
    this.line = pkg.line > 0 ? pkg.line : null;
  }

  get dependencies(): readonly PackageRef[] {
    this.#dependencies ??= this.#pkg.dependencies.map((d) => ({
      name: d.name,
      version: d.version.toString(),
      source: d.source?.raw ?? null,
    }));
    return this.#dependencies;
  }
}

/** The audit's view of a parsed Cargo.lock: its packages, and paths/trees from its graph. */
export function lockfileAuditInput(lockfile: Lockfile, path: string = lockfile.path): AuditInput {
  const audited = new Map<LockPackage, AuditedPackage>();
  const back = new Map<AuditedPackage, LockPackage>();
  for (const pkg of lockfile.packages) {
    const a = new AuditedLockPackage(pkg);
    audited.set(pkg, a);
    back.set(a, pkg);
  }
  const view = (pkg: LockPackage): AuditedPackage => audited.get(pkg) as AuditedPackage;
  const convertTree = (node: DependencyTreeNode): DependentsTree => ({
    package: view(node.package),
    dependents: node.children.map(convertTree),
    // Only a node whose dependents were really left out is elided; a repeated root has none.
    elided: node.repeated && lockfile.graph.dependents(node.package).length > 0,
  });
  const graph: DependencyGraph = {
    paths: (pkg) => {
      const own = back.get(pkg);
      return own ? lockfile.graph.pathsFromRoots(own).map((path) => path.map(view)) : [];
    },
    tree: (pkg) => {
      const own = back.get(pkg);
      return own ? convertTree(lockfile.graph.inverseTree(own)) : null;
    },
  };
  return { path, packages: [...audited.values()], graph };
}
