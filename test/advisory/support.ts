import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { advisoryDbDir } from "../support/paths.js";

export const crateAdvisoryPath = (pkg: string, id: string): string =>
  join(advisoryDbDir, "crates", pkg, `${id}.md`);

export const exampleAdvisoryPath = join(advisoryDbDir, "EXAMPLE_ADVISORY.md");

export const readText = (path: string): string => readFileSync(path, "utf8");

/** Every `crates/<name>/*.md` file of the real database. */
export function realAdvisoryPaths(): string[] {
  const root = join(advisoryDbDir, "crates");
  const paths: string[] = [];
  for (const dir of readdirSync(root).sort()) {
    for (const file of readdirSync(join(root, dir)).sort()) {
      if (file.endsWith(".md")) paths.push(join(root, dir, file));
    }
  }
  return paths;
}

/** The example advisory, with its draft id, placed where a draft would live. */
export const DRAFT_PATH = "crates/crate-name/RUSTSEC-0000-0000.md";
export const exampleText = (): string => readText(exampleAdvisoryPath);

/** 1-based line of the first line of `text` containing `needle`. */
export function lineOf(text: string, needle: string): number {
  const index = text.split("\n").findIndex((l) => l.includes(needle));
  if (index === -1) throw new Error(`${JSON.stringify(needle)} not found`);
  return index + 1;
}
