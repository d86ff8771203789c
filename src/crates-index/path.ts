/**
 * Where a crate's file lives in a crates.io-style index (git or sparse): the lowercased name,
 * under `1/`, `2/`, `3/<c>/` or `<ab>/<cd>/` by length.
 */
export function indexRelativePath(crateName: string): string {
  const name = crateName.toLowerCase();
  switch (name.length) {
    case 0:
      throw new Error("empty crate name");
    case 1:
      return `1/${name}`;
    case 2:
      return `2/${name}`;
    case 3:
      return `3/${name.slice(0, 1)}/${name}`;
    default:
      return `${name.slice(0, 2)}/${name.slice(2, 4)}/${name}`;
  }
}

/** Crate names as crates.io accepts them; anything else must never reach a URL or a file path. */
export function isValidCrateName(name: string): boolean {
  return /^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(name);
}
