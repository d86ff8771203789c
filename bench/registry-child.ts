/**
 * The measured registry server of `npm run bench -- registry`, in its own process (so that it
 * does not share an event loop with the load generator): `node registry-child.js STORE_URL DATA_DIR`.
 * Prints `{"url":"http://127.0.0.1:PORT"}` on stdout once listening; SIGTERM closes it.
 */
import { join } from "node:path";
import { createRegistryServer } from "../src/registry/server/index.js";
import { FileCrateStorage } from "../src/registry/storage/index.js";
import { openStore } from "../src/registry/store/index.js";

const [storeUrl, dataDir] = process.argv.slice(2);
if (!storeUrl || !dataDir) throw new Error("usage: registry-child.js STORE_URL DATA_DIR");
const store = await openStore({ url: storeUrl });
const storage = new FileCrateStorage(join(dataDir, "crates"));
const server = await createRegistryServer({
  store,
  storage,
  // Rate limits would turn a publish benchmark into a 429 benchmark.
  config: {
    host: "127.0.0.1",
    port: 0,
    rateLimits: { "publish-new": null, "publish-update": null, yank: null },
  },
  logger: false,
});
const url = await server.listen();
process.stdout.write(`${JSON.stringify({ url })}\n`);
process.on("SIGTERM", () => {
  void (async () => {
    await server.close();
    await store.close();
    process.exit(0);
  })();
});
