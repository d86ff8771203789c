/** One measured load in a fresh process: `node advisories-child.js DB CACHE_DIR cache|nocache`. */
import { loadDatabase } from "../src/database/index.js";

const [db, cacheDir, mode] = process.argv.slice(2) as [string, string, string];
const start = performance.now();
const result = loadDatabase(db, { cacheDir, useCache: mode === "cache" });
const loadMs = performance.now() - start;
// Then decode every advisory, as `advisories list` does (an audit decodes only its candidates).
let count = 0;
for (const advisory of result.database.advisories()) if (advisory.metadata.id) count++;
const allMs = performance.now() - start;
if (result.diagnostics.length > 0) {
  console.error(
    `${result.diagnostics.length} load diagnostics, first: ${result.diagnostics[0]?.message}`,
  );
  process.exit(1);
}
process.stdout.write(
  JSON.stringify({
    loadMs,
    allMs,
    maxRssKib: process.resourceUsage().maxRSS,
    count,
    fromCache: result.fromCache,
  }),
);
