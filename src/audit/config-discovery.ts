import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { type AuditConfig, ConfigError, defaultAuditConfig, parseAuditConfig } from "./config.js";

export interface ConfigSearch {
  /** `--config PATH`: must exist. */
  readonly explicit?: string;
  /** The lockfile being audited (absent for stdin). */
  readonly lockfile?: string;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * Where `audit.toml` is looked for, first match wins: `--config`, then `.cargo/audit.toml` next to
 * the lockfile (cargo-audit only looks in the working directory, #325), then the working
 * directory's, then `$CARGO_HOME/audit.toml`.
 */
export function auditConfigCandidates(search: ConfigSearch): string[] {
  const candidates: string[] = [];
  if (search.lockfile)
    candidates.push(join(dirname(resolve(search.cwd, search.lockfile)), ".cargo", "audit.toml"));
  candidates.push(join(resolve(search.cwd), ".cargo", "audit.toml"));
  const cargoHome = search.env.CARGO_HOME || join(homedir(), ".cargo");
  candidates.push(join(cargoHome, "audit.toml"));
  return [...new Set(candidates)];
}

export interface LoadedConfig {
  readonly config: AuditConfig;
  /** The file read, or null when defaults apply. */
  readonly path: string | null;
}

export function loadAuditConfig(search: ConfigSearch): LoadedConfig {
  if (search.explicit !== undefined) {
    if (!existsSync(search.explicit))
      throw new ConfigError(search.explicit, "config file not found");
    return { config: readConfig(search.explicit), path: search.explicit };
  }
  for (const candidate of auditConfigCandidates(search)) {
    if (existsSync(candidate)) return { config: readConfig(candidate), path: candidate };
  }
  return { config: defaultAuditConfig(), path: null };
}

function readConfig(path: string): AuditConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError(
      path,
      `cannot read config: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  return parseAuditConfig(text, path);
}
