/** Public API of the advisory module. */
export { CvssError, parseCvss, severityOf } from "./cvss.js";
export { dateYear, validateDate } from "./date.js";
export { decodeAdvisory, MAX_ADVISORY_BYTES, type TextResult } from "./document.js";
export { functionPathCrate, validateFunctionPath } from "./function-path.js";
export { idKind, idYear, isPlaceholderId, PLACEHOLDER_ID, validateId } from "./id.js";
export { type LintOptions, lintAdvisory } from "./lint.js";
export * from "./model.js";
export { type ParseOptions, type ParseResult, parseAdvisory, parseAdvisoryFile } from "./parse.js";
export { checkAdvisoryPath, collectionOfPath, isDraftPath } from "./path-rules.js";
export { KNOWN_ARCHES } from "./platforms.js";
