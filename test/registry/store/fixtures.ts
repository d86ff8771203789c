import { createHash } from "node:crypto";
import type { PublishInput } from "../../../src/registry/store/index.js";

export const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

/** A publish of `name@version` with a plausible sparse-index line. */
export function publishInput(
  name: string,
  version: string,
  extra: Partial<PublishInput> = {},
): PublishInput {
  const cksum = sha256(`${name}@${version}`);
  return {
    name,
    version,
    cksum,
    size: 1000 + version.length,
    indexLine: {
      name,
      vers: version,
      deps: [
        {
          name: "serde",
          req: "^1",
          features: [],
          optional: false,
          default_features: true,
          target: null,
          kind: "normal",
          registry: "https://github.com/rust-lang/crates.io-index",
          package: null,
        },
      ],
      cksum,
      features: { default: [] },
      yanked: false,
      links: null,
      v: 2,
      features2: {},
      pubtime: "2025-01-01T00:00:00Z",
    },
    description: `the ${name} crate`,
    ...extra,
  };
}
