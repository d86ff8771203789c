export { advisoryToOsv, exportOsv, formatOsv, isExported, rfc3339 } from "./export.js";
export { importOsvDir, loadOsvDatabase, type OsvImport } from "./import.js";
export { type ImportedRecord, importOsvRecord, osvSeverityLabel } from "./import-record.js";
export { gitModificationTimes } from "./modified.js";
export {
  eventsToRanges,
  mergeRanges,
  parseOsvVersion,
  requirementsFor,
  sortRanges,
} from "./ranges.js";
export { guessUrlKind, osvReferences } from "./references.js";
export type {
  OsvAffected,
  OsvEvent,
  OsvRange,
  OsvRecord,
  OsvReference,
  OsvSeverity,
} from "./types.js";
