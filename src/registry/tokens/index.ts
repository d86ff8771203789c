export * from "./authenticate.js";
export * from "./expiry.js";
export * from "./scopes.js";
export * from "./token-format.js";
export * from "./trusted-publishing/index.js";
