export * from "./errors.js";
export * from "./exchange.js";
export * from "./jti-store.js";
export * from "./jwks.js";
export * from "./jwt.js";
export * from "./match.js";
export * from "./verify.js";
