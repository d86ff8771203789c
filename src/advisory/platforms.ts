/**
 * `target_arch` names accepted by `platforms::Arch::from_str` (rustsec/rustsec
 * `platforms/src/target/arch.rs`), which the linter requires for `[affected] arch`.
 */
export const KNOWN_ARCHES: ReadonlySet<string> = new Set([
  "aarch64",
  "arm",
  "arm64ec",
  "avr",
  "bpf",
  "csky",
  "hexagon",
  "loongarch64",
  "m68k",
  "mips",
  "mips32r6",
  "mips64",
  "mips64r6",
  "msp430",
  "nvptx64",
  "powerpc",
  "powerpc64",
  "riscv32",
  "riscv64",
  "s390x",
  "sparc",
  "sparc64",
  "wasm32",
  "wasm64",
  "x86",
  "x86_64",
]);
