export { checkCratesExist, type LocatedAdvisory } from "./crate-existence.js";
export { lintLayout } from "./layout.js";
export { type LintOptions, type LintResult, lintDatabase } from "./lint-database.js";
