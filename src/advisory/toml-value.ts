/** Type guards and descriptions for values coming out of smol-toml. */
import { TomlDate, type TomlTable } from "smol-toml";

export type TomlValue = TomlTable[string];

export function isTable(v: unknown): v is TomlTable {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/** Own property lookup; smol-toml tables have a null prototype but may hold `__proto__`. */
export function get(table: TomlTable, key: string): TomlValue | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** How serde would name the value in an "invalid type" error. */
export function describe(v: unknown): string {
  if (typeof v === "string") return `string ${JSON.stringify(v)}`;
  if (typeof v === "boolean") return `boolean \`${v}\``;
  if (typeof v === "bigint") return `integer \`${v}\``;
  if (typeof v === "number") return Number.isInteger(v) ? `integer \`${v}\`` : `float \`${v}\``;
  if (v instanceof TomlDate) return `datetime \`${v.toISOString()}\``;
  if (Array.isArray(v)) return "array";
  return "table";
}
