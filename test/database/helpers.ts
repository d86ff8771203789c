/** Fixtures for database and OSV tests: temp dirs, advisory files, tiny git repositories. */
import { execFileSync } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { advisoryDbDir } from "../support/paths.js";

const temps: string[] = [];

/** A fresh temp directory, removed by `cleanupTemps`. */
export function tempDir(prefix = "cratesec-db-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

export function cleanupTemps(): void {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Copies `crates/<package>/<id>.md` files of the shared database into `dir`. */
export function copyShared(dir: string, files: readonly string[]): void {
  for (const rel of files) {
    const to = join(dir, "crates", rel);
    mkdirSync(dirname(to), { recursive: true });
    cpSync(join(advisoryDbDir, "crates", rel), to);
  }
}

export const SAMPLE = [
  "hyper/RUSTSEC-2016-0002.md",
  "arrow2/RUSTSEC-2022-0012.md",
  "dirs/RUSTSEC-2020-0053.md",
];

export interface AdvisoryFields {
  id: string;
  package: string;
  date?: string;
  patched?: string[];
  extra?: string;
  title?: string;
}

/** A minimal valid advisory file. */
export function advisoryText(f: AdvisoryFields): string {
  const patched = (f.patched ?? [">= 1.0.0"]).map((p) => JSON.stringify(p)).join(", ");
  return [
    "```toml",
    "[advisory]",
    `id = "${f.id}"`,
    `package = "${f.package}"`,
    `date = "${f.date ?? "2024-01-01"}"`,
    ...(f.extra ? [f.extra] : []),
    "",
    "[versions]",
    `patched = [${patched}]`,
    "```",
    "",
    `# ${f.title ?? `Problem in ${f.package}`}`,
    "",
    "Description.",
    "",
  ].join("\n");
}

export function writeFile(path: string, content: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

export function writeAdvisory(dir: string, collection: string, f: AdvisoryFields): string {
  const path = join(dir, collection, f.package, `${f.id}.md`);
  writeFile(path, advisoryText(f));
  return path;
}

/** Runs git in `cwd` with a fixed identity and, when given, author/committer date. */
export function gitIn(cwd: string, args: string[], date?: Date): string {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GIT_AUTHOR_NAME: "Test",
    GIT_AUTHOR_EMAIL: "test@example.com",
    GIT_COMMITTER_NAME: "Test",
    GIT_COMMITTER_EMAIL: "test@example.com",
    GIT_CONFIG_NOSYSTEM: "1",
    HOME: cwd,
  };
  if (date) {
    env.GIT_AUTHOR_DATE = date.toISOString();
    env.GIT_COMMITTER_DATE = date.toISOString();
  }
  return execFileSync("git", args, {
    cwd,
    env,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** `git add -A && git commit` at `date`; returns the new HEAD. */
export function commitAll(repo: string, message: string, date: Date): string {
  gitIn(repo, ["add", "-A"]);
  gitIn(repo, ["commit", "--quiet", "-m", message], date);
  return gitIn(repo, ["rev-parse", "HEAD"]).trim();
}

export function initRepo(dir: string): void {
  gitIn(dir, ["init", "--quiet", "-b", "main"]);
}

export const daysAgo = (n: number): Date =>
  new Date(Math.floor(Date.now() / 1000 - n * 86400) * 1000);

/**
 * A database of `copies` × the shared advisories (588 each): copy k > 0 renames ids to
 * `RUSTSEC-YYYY-(N + 5000k)` and packages to `<name>-dupk`. For load benchmarks.
 */
export function duplicateSharedDb(dir: string, copies: number): number {
  let count = 0;
  const crates = join(advisoryDbDir, "crates");
  for (let k = 0; k < copies; k++) {
    for (const pkg of readdirSync(crates)) {
      const name = k === 0 ? pkg : `${pkg}-dup${k}`;
      for (const file of readdirSync(join(crates, pkg))) {
        const id = file.replace(/\.md$/, "");
        const m = /^(RUSTSEC-\d{4}-)(\d+)$/.exec(id);
        if (!m) continue;
        const newId = k === 0 ? id : `${m[1]}${String(Number(m[2]) + 5000 * k).padStart(4, "0")}`;
        const text = readFileSync(join(crates, pkg, file), "utf8")
          .replace(`id = "${id}"`, `id = "${newId}"`)
          .replace(`package = "${pkg}"`, `package = "${name}"`);
        writeFile(join(dir, "crates", name, `${newId}.md`), text);
        count++;
      }
    }
  }
  return count;
}
