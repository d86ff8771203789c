import type { DependencyTreeNode, Lockfile, LockPackage } from "../lockfile/index.js";
import type { AuditInput, DependencyGraph } from "./audit.js";
import type { AuditedPackage, DependentsTree } from "./report.js";

function toAudited(pkg: LockPackage): AuditedPackage {
  return {
    name: pkg.name,
    version: pkg.version,
    source: pkg.source?.raw ?? null,
    checksum: pkg.checksum,
    dependencies: pkg.dependencies.map((d) => ({
      name: d.name,
      version: d.version.toString(),
      source: d.source?.raw ?? null,
    })),
    line: pkg.line > 0 ? pkg.line : null,
  };
}

/** The audit's view of a parsed Cargo.lock: its packages, and paths/trees from its graph. */
export function lockfileAuditInput(lockfile: Lockfile, path: string = lockfile.path): AuditInput {
  const audited = new Map<LockPackage, AuditedPackage>();
  const back = new Map<AuditedPackage, LockPackage>();
  for (const pkg of lockfile.packages) {
    const a = toAudited(pkg);
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
