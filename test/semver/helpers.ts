import assert from "node:assert/strict";
import { SemverError, Version, VersionReq } from "../../src/semver/index.js";

export const version = (text: string): Version => Version.parse(text);
export const req = (text: string): VersionReq => VersionReq.parse(text);

/** The message of the SemverError that `fn` throws (fails if it does not throw one). */
export function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof SemverError, `expected a SemverError, got ${String(e)}`);
    return e.message;
  }
  assert.fail("expected an error");
}

export const versionErr = (text: string): string => errorOf(() => Version.parse(text));
export const reqErr = (text: string): string => errorOf(() => VersionReq.parse(text));

export function assertMatchAll(r: VersionReq, versions: readonly string[]): void {
  for (const v of versions) assert.ok(r.matches(version(v)), `${r} did not match ${v}`);
}

export function assertMatchNone(r: VersionReq, versions: readonly string[]): void {
  for (const v of versions) assert.ok(!r.matches(version(v)), `${r} matched ${v}`);
}
