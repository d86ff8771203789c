/** Runs the system `git` (no shell) and turns its failures into DatabaseErrors. */
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { DatabaseError } from "./errors.js";

const execFileAsync = promisify(execFile);

// Never prompt for credentials (a CLI must fail, not hang) and keep messages in English.
const GIT_ENV = { ...process.env, GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" };
const MAX_OUTPUT = 512 * 1024 * 1024;

interface ExecFailure {
  code?: string | number;
  stderr?: string | Buffer;
  message?: string;
}

/** The useful part of git's stderr: its `fatal:`/`error:` lines, else the last line. */
function gitMessage(err: ExecFailure): string {
  if (err.code === "ENOENT") return "git is not installed (or not on PATH)";
  const lines = String(err.stderr ?? "")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");
  const important = lines.filter((l) => /^(fatal|error):/.test(l));
  return (important.length > 0 ? important : lines.slice(-1)).join("; ") || String(err.message);
}

function failure(args: readonly string[], err: unknown): DatabaseError {
  return new DatabaseError(`git ${args[0] ?? ""} failed: ${gitMessage(err as ExecFailure)}`);
}

export async function git(args: readonly string[], cwd?: string): Promise<string> {
  try {
    const { stdout } = await execFileAsync("git", args, {
      cwd,
      env: GIT_ENV,
      maxBuffer: MAX_OUTPUT,
      encoding: "utf8",
    });
    return stdout;
  } catch (err) {
    throw failure(args, err);
  }
}

export function gitSync(args: readonly string[], cwd?: string): string {
  try {
    return execFileSync("git", args, {
      cwd,
      env: GIT_ENV,
      maxBuffer: MAX_OUTPUT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (err) {
    throw failure(args, err);
  }
}

export interface HeadCommit {
  readonly sha: string;
  readonly time: Date;
}

const parseHead = (out: string): HeadCommit => {
  const [sha = "", secs = ""] = out.trim().split(" ");
  return { sha, time: new Date(Number(secs) * 1000) };
};

/** HEAD's id and committer time (what rustsec reports as the last update). */
export async function headCommit(repo: string): Promise<HeadCommit> {
  return parseHead(await git(["log", "-1", "--format=%H %ct", "HEAD"], repo));
}

export function headCommitSync(repo: string): HeadCommit {
  return parseHead(gitSync(["log", "-1", "--format=%H %ct", "HEAD"], repo));
}
