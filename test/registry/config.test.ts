import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  ConfigError,
  defaultRegistryConfig,
  parseRegistryConfig,
  registryPublicUrl,
} from "../../src/registry/config.js";

function parseError(text: string): ConfigError {
  try {
    parseRegistryConfig(text, "cratesec.toml");
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err;
  }
  assert.fail("expected the config to be refused");
}

describe("cratesec.toml", () => {
  test("defaults", () => {
    const d = defaultRegistryConfig();
    assert.deepEqual(parseRegistryConfig("", "cratesec.toml"), d);
    assert.equal(d.server.host, "127.0.0.1");
    assert.equal(d.server.port, 8080);
    assert.equal(d.server.publicUrl, null);
    assert.equal(d.data.dir, "./cratesec-data");
    assert.equal(d.database.url, null);
    assert.equal(d.registry.authRequired, false);
    assert.equal(d.registry.cratesIoIndex, "https://github.com/rust-lang/crates.io-index");
    assert.equal(d.limits.maxUploadBytes, 10 * 1024 * 1024);
    assert.equal(d.limits.maxUnpackedBytes, 512 * 1024 * 1024);
    assert.equal(d.limits.maxMetadataBytes, 1024 * 1024);
    assert.deepEqual(d.rateLimits.publishNew, { max: 5, windowSeconds: 600 });
    assert.deepEqual(d.rateLimits.publishUpdate, { max: 30, windowSeconds: 60 });
    assert.deepEqual(d.rateLimits.yank, { max: 100, windowSeconds: 60 });
    assert.deepEqual(d.trustedPublishing, { audience: "cratesec", issuers: [] });
    assert.equal(registryPublicUrl(d), "http://127.0.0.1:8080");
    assert.equal(registryPublicUrl(d, 4321), "http://127.0.0.1:4321");
  });

  test("reads every key", () => {
    const config = parseRegistryConfig(
      `[server]
host = "0.0.0.0"
port = 9000
public_url = "https://crates.example.com/"

[data]
dir = "/var/lib/cratesec"

[database]
url = "postgres://cratesec@db/cratesec"

[registry]
auth_required = true
crates_io_index = "sparse+https://index.crates.io/"

[limits]
max_upload_bytes = 1000
max_unpacked_bytes = 2000
max_metadata_bytes = 300

[rate_limits.publish_new]
max = 1
window_seconds = 3600

[rate_limits.publish_update]
max = 2
window_seconds = 120

[rate_limits]
yank = { max = 3, window_seconds = 30 }

[trusted_publishing]
audience = "crates.example.com"

[[trusted_publishing.issuers]]
issuer = "https://token.actions.githubusercontent.com"
jwks_url = "https://token.actions.githubusercontent.com/.well-known/jwks"

[[trusted_publishing.issuers]]
issuer = "https://gitlab.example.com"
jwks = { keys = [{ kty = "RSA", kid = "k1", n = "AQAB", e = "AQAB" }] }
`,
      "cratesec.toml",
    );
    assert.deepEqual(config, {
      server: { host: "0.0.0.0", port: 9000, publicUrl: "https://crates.example.com" },
      data: { dir: "/var/lib/cratesec" },
      database: { url: "postgres://cratesec@db/cratesec" },
      registry: { authRequired: true, cratesIoIndex: "sparse+https://index.crates.io/" },
      limits: { maxUploadBytes: 1000, maxUnpackedBytes: 2000, maxMetadataBytes: 300 },
      rateLimits: {
        publishNew: { max: 1, windowSeconds: 3600 },
        publishUpdate: { max: 2, windowSeconds: 120 },
        yank: { max: 3, windowSeconds: 30 },
      },
      trustedPublishing: {
        audience: "crates.example.com",
        issuers: [
          {
            issuer: "https://token.actions.githubusercontent.com",
            jwksUrl: "https://token.actions.githubusercontent.com/.well-known/jwks",
          },
          {
            issuer: "https://gitlab.example.com",
            jwks: { keys: [{ kty: "RSA", kid: "k1", n: "AQAB", e: "AQAB" }] },
          },
        ],
      },
    });
    assert.equal(registryPublicUrl(config), "https://crates.example.com");
  });

  test("a partial rate-limit table keeps the other default", () => {
    const config = parseRegistryConfig("[rate_limits.yank]\nmax = 7\n", "c.toml");
    assert.deepEqual(config.rateLimits.yank, { max: 7, windowSeconds: 60 });
  });

  test("unknown keys and sections are errors with file:line", () => {
    const cases: [string, number, RegExp][] = [
      ["[server]\nhost = 'x'\nprot = 1\n", 3, /unknown key `prot` in \[server\]/],
      ["# c\n[servers]\nport = 1\n", 2, /unknown section `\[servers\]`/],
      ["[limits]\n\nmax_upload = 1\n", 3, /unknown key `max_upload` in \[limits\]/],
      ["[rate_limits.publish_new]\nmax = 1\nwindow = 2\n", 3, /unknown key `window`/],
      ["\n[rate_limits.publish_old]\nmax = 1\n", 2, /unknown key `publish_old` in \[rate_limits\]/],
      [
        '[[trusted_publishing.issuers]]\nissuer = "https://a"\n\n[[trusted_publishing.issuers]]\nissuer = "https://b"\njwks_uri = "https://b/jwks"\n',
        6,
        /unknown key `jwks_uri` in \[\[trusted_publishing.issuers\]\]/,
      ],
      ["port = 1\n", 1, /unknown section `\[port\]`/],
    ];
    for (const [text, line, message] of cases) {
      const err = parseError(text);
      assert.match(err.message, message, text);
      assert.equal(err.line, line, `${text} → ${String(err)}`);
      assert.match(String(err), new RegExp(`^cratesec\\.toml:${line}:1: `));
    }
  });

  test("bad types and values are errors with file:line", () => {
    const cases: [string, number, RegExp][] = [
      ['[server]\nport = "8080"\n', 2, /`server.port` must be an integer from 0 to 65535/],
      ["[server]\nport = 70000\n", 2, /from 0 to 65535/],
      ["[server]\nport = 1.5\n", 2, /must be an integer/],
      ["[server]\nhost = 1\n", 2, /`server.host` must be a string/],
      ['[server]\npublic_url = "ftp://x"\n', 2, /http:\/\/ or https:\/\//],
      ['[server]\npublic_url = "not a url"\n', 2, /not a URL/],
      ['[data]\ndir = ""\n', 2, /`data.dir` must not be empty/],
      ["[database]\nurl = 5\n", 2, /`database.url` must be a string/],
      ['[registry]\nauth_required = "yes"\n', 2, /must be true or false/],
      ["[limits]\nmax_upload_bytes = 0\n", 2, /must be an integer ≥ 1/],
      ["[limits]\nmax_unpacked_bytes = -1\n", 2, /≥ 1/],
      ["[rate_limits.yank]\nmax = 0\n", 2, /`rate_limits.yank.max`/],
      ["[rate_limits]\nyank = 5\n", 2, /`rate_limits.yank` must be a table/],
      ["server = 5\n", 1, /`server` must be a table/],
      ["[trusted_publishing]\nissuers = 5\n", 2, /must be a list of tables/],
      ["[[trusted_publishing.issuers]]\njwks_url = 'https://x'\n", 1, /needs `issuer = /],
      [
        "[[trusted_publishing.issuers]]\nissuer = 'https://x'\njwks_url = 'file:///etc/passwd'\n",
        3,
        /not an http\(s\) URL/,
      ],
      ["[[trusted_publishing.issuers]]\nissuer = 'https://x'\njwks = 'abc'\n", 3, /JWK Set/],
      [
        "[[trusted_publishing.issuers]]\nissuer = 'https://x'\n[[trusted_publishing.issuers]]\nissuer = 'https://x'\n",
        4,
        /configured twice/,
      ],
      ["[server\nport = 1\n", 1, /invalid TOML/],
    ];
    for (const [text, line, message] of cases) {
      const err = parseError(text);
      assert.match(err.message, message, text);
      assert.equal(err.line, line, `${text} → ${String(err)}`);
    }
  });
});
