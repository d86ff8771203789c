/**
 * Canonical, parameter-free paths to affected functions (rustsec `advisory/affected.rs`):
 * at least two `::`-separated identifiers; each starts with `[A-Za-z_<]` and continues with
 * `[A-Za-z0-9_<>,]`.
 */

const IDENT_START = /[A-Za-z_<]/;
const IDENT_CHAR = /[A-Za-z0-9_<>,]/;

/** Returns the error message, or null when `path` is a valid function path. */
export function validateFunctionPath(path: string): string | null {
  const segments = path.split("::");
  for (const segment of segments) {
    const error = validateIdentifier(segment);
    if (error !== null) return error;
  }
  if (segments.length < 2) {
    return `paths must start with the crate name (i.e. minimum two segments): '${path}'`;
  }
  return null;
}

/** The first segment (the crate name, with `-` written as `_`). */
export const functionPathCrate = (path: string): string => path.split("::", 1)[0] ?? "";

function validateIdentifier(identifier: string): string | null {
  const chars = [...identifier];
  const first = chars[0];
  if (first === undefined) return "empty identifier in affected path";
  if (!IDENT_START.test(first)) return `invalid character at start of ident: '${identifier}'`;
  for (const c of chars.slice(1)) {
    if (IDENT_CHAR.test(c)) continue;
    if (c === "(" || c === ")") {
      return `omit parameters when specifying affected paths: '${identifier}'`;
    }
    return `invalid character '${c}' in identifier: '${identifier}'`;
  }
  return null;
}
