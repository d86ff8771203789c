/** The registry's HTTP server: `createRegistryServer({ store, storage, config, logger })`. */
export { actorOf, authenticateRequest, grantOf, type Principal } from "./auth.js";
export {
  DEFAULT_RATE_LIMITS,
  type RateLimit,
  type RateLimitedAction,
  type RegistryServerConfig,
  type TrustedPublishingServerConfig,
} from "./config.js";
export { envelope, fromStoreError, HttpError } from "./http-error.js";
export {
  createRegistryServer,
  indexPathOf,
  type RegistryServer,
  type RegistryServerOptions,
} from "./server.js";
