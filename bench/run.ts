/**
 * `npm run bench -- <suite> [options]`: runs one benchmark suite and prints its figures.
 * Each suite measures in fresh child processes so that "cold" really is cold and peak RSS is the
 * suite's own, not the harness's.
 */
import { runAdvisoriesBench } from "./advisories.js";
import { runAuditBench } from "./audit.js";
import { runRegistryBench } from "./registry.js";

const suites: Record<string, (args: string[]) => Promise<void>> = {
  advisories: runAdvisoriesBench,
  audit: runAuditBench,
  registry: runRegistryBench,
};

const [name, ...rest] = process.argv.slice(2);
const suite = name ? suites[name] : undefined;
if (!suite) {
  console.error(`usage: npm run bench -- <${Object.keys(suites).join("|")}> [options]`);
  process.exit(2);
}
await suite(rest);
