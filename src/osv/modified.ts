/**
 * `modified` times for the OSV export. In a git checkout it is, as in rustsec's
 * `GitModificationTimes`, the newest commit time among non-merge commits touching the file,
 * collected by one `git log` over the whole history. Elsewhere (a plain copy of the database,
 * e.g. the shared test subset) it falls back to the file's mtime.
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import { git } from "../database/git-command.js";
import { gitDirOf } from "../database/git-head.js";

export type ModifiedTimes = (rel: string) => Date;

const COMMIT_MARK = "\u0001";

/** rel path (as git prints it, `/`-separated) → latest commit time, or null when not a git checkout. */
export async function gitModificationTimes(repo: string): Promise<Map<string, Date> | null> {
  if (!gitDirOf(repo)) return null;
  let out: string;
  try {
    out = await git(
      [
        "-c",
        "core.quotepath=off",
        "log",
        "--no-merges",
        "--no-renames",
        `--format=${COMMIT_MARK}%ct`,
        "--name-only",
        "HEAD",
      ],
      repo,
    );
  } catch {
    return null;
  }
  const times = new Map<string, Date>();
  let current = 0;
  for (const line of out.split("\n")) {
    if (line.startsWith(COMMIT_MARK)) {
      current = Number(line.slice(1)) * 1000;
    } else if (line !== "") {
      const seen = times.get(line);
      if (!seen || seen.getTime() < current) times.set(line, new Date(current));
    }
  }
  return times;
}

/** Modification-time lookup for files of the database at `dir`. */
export async function modifiedTimes(dir: string): Promise<ModifiedTimes> {
  const fromGit = await gitModificationTimes(dir);
  const now = new Date();
  return (rel) =>
    fromGit?.get(rel) ?? statSync(join(dir, rel), { throwIfNoEntry: false })?.mtime ?? now;
}
