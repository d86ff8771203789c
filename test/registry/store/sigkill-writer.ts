/**
 * Child process for the SIGKILL crash test (sqlite.test.ts). It does nothing unless started
 * with `--sigkill-writer URL ROUND` (the test runner also loads every file of this directory).
 *
 * It publishes versions `ROUND.0.N` of one crate as fast as it can, and yanks every fifth one,
 * printing a line after each commit: `publish VERSION` / `yank VERSION`. Every printed line is
 * an acknowledged write that must survive the kill.
 */
import { openStore } from "../../../src/registry/store/index.js";
import { publishInput } from "./fixtures.js";

export const CRASH_CRATE = "crash-test";
export const CRASH_USER = "crasher";

async function main(url: string, round: string): Promise<void> {
  const store = await openStore({ url });
  const user =
    (await store.findUserByName(CRASH_USER)) ?? (await store.createUser({ name: CRASH_USER }));
  const ctx = { userId: user.id, ip: "127.0.0.1", userAgent: "sigkill-writer" };
  // A larger index line makes each transaction write more pages.
  const features = Object.fromEntries(
    Array.from({ length: 40 }, (_, i) => [`feature-${i}`, [`dep-${i}/std`, `dep-${i}/alloc`]]),
  );
  for (let n = 0; ; n++) {
    const version = `${round}.0.${n}`;
    const input = publishInput(CRASH_CRATE, version);
    await store.createCrateVersion(
      { ...input, indexLine: { ...(input.indexLine as object), features } },
      ctx,
    );
    process.stdout.write(`publish ${version}\n`);
    if (n % 5 === 0) {
      await store.yank(CRASH_CRATE, version, ctx);
      process.stdout.write(`yank ${version}\n`);
    }
  }
}

const at = process.argv.indexOf("--sigkill-writer");
if (at >= 0) {
  const url = process.argv[at + 1];
  const round = process.argv[at + 2];
  if (url === undefined || round === undefined) {
    process.stderr.write("usage: sigkill-writer --sigkill-writer URL ROUND\n");
    process.exit(2);
  }
  main(url, round).catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}
