/**
 * Reads the HEAD commit id of a checkout straight from `.git`, without spawning git: the warm
 * cache path must stay within a few milliseconds.
 */
import { readFileSync, statSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";

const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

function readText(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

/** The git directory of a checkout rooted at `dir` (`.git` dir or `gitdir:` file), else null. */
export function gitDirOf(dir: string): string | null {
  const dotGit = join(dir, ".git");
  const st = statSync(dotGit, { throwIfNoEntry: false });
  if (!st) return null;
  if (st.isDirectory()) return dotGit;
  const m = /^gitdir:\s*(.+?)\s*$/m.exec(readText(dotGit) ?? "");
  if (!m) return null;
  const target = m[1] as string;
  return isAbsolute(target) ? target : resolve(dir, target);
}

function resolveRef(gitDir: string, ref: string): string | null {
  const loose = readText(join(gitDir, ref))?.trim();
  if (loose && SHA.test(loose)) return loose;
  // Worktrees keep shared refs in the common dir.
  const common = readText(join(gitDir, "commondir"))?.trim();
  const commonDir = common ? resolve(gitDir, common) : gitDir;
  if (commonDir !== gitDir) {
    const shared = readText(join(commonDir, ref))?.trim();
    if (shared && SHA.test(shared)) return shared;
  }
  for (const line of (readText(join(commonDir, "packed-refs")) ?? "").split("\n")) {
    const [sha, name] = line.split(" ");
    if (name === ref && sha && SHA.test(sha)) return sha;
  }
  return null;
}

/** HEAD's commit id when `dir` is the root of a git checkout, else null. */
export function readGitHead(dir: string): string | null {
  const gitDir = gitDirOf(dir);
  if (!gitDir) return null;
  const head = readText(join(gitDir, "HEAD"))?.trim();
  if (!head) return null;
  if (head.startsWith("ref:")) return resolveRef(gitDir, head.slice(4).trim());
  return SHA.test(head) ? head : null;
}
