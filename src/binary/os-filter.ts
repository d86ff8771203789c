/**
 * §5 step 7: which advisories can apply to a binary of a given format, from the advisory's
 * `[affected] os` list (rustsec `binary_scanning/binary_type_filter.rs`).
 */
import type { BinaryFormat } from "./format.js";

/**
 * The `target_os` values of every `*apple*` target in the `platforms` crate, which is how
 * rustsec builds its Apple set (`PlatformReq::from_str("*apple*")`).
 */
export const APPLE_OSES: ReadonlySet<string> = new Set([
  "ios",
  "macos",
  "tvos",
  "visionos",
  "watchos",
]);

/**
 * Whether an advisory whose `os` list is `advisoryOs` can affect a binary of `format`:
 * - an empty list means every OS, so it always applies;
 * - PE only if the list has `windows`;
 * - Mach-O only if it has an Apple OS;
 * - ELF if it has any OS that is neither Windows nor Apple;
 * - Wasm only if it has `unknown` or `none` (Wasm has no OS, rustc spells it so);
 * - an unknown format always.
 */
export function osApplies(format: BinaryFormat, advisoryOs: readonly string[]): boolean {
  if (advisoryOs.length === 0) return true;
  switch (format) {
    case "pe":
      return advisoryOs.includes("windows");
    case "macho":
      return advisoryOs.some((os) => APPLE_OSES.has(os));
    case "elf32":
    case "elf64":
      return advisoryOs.some((os) => os !== "windows" && !APPLE_OSES.has(os));
    case "wasm":
      return advisoryOs.some((os) => os === "unknown" || os === "none");
    case "unknown":
      return true;
  }
}
