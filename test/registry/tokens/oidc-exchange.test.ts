/** Publisher-config matching (crates.io's exchange rules) and the whole exchange. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  authorize,
  classifyToken,
  exchangeOidcToken,
  extractWorkflowFilename,
  type GitHubOidcClaims,
  hashToken,
  InMemoryJtiStore,
  matchPublisherConfig,
  type PublisherConfig,
  publisherConfigProblem,
  TRUSTED_PUBLISHING_TOKEN_LIFETIME_MS,
  TrustedPublishingError,
  type TrustedPublishingErrorCode,
  verifyOidcToken,
} from "../../../src/registry/tokens/index.js";
import { config, githubClaims, NOW, rsaJwt, verifyOptions } from "./helpers.js";

async function claimsOf(overrides: Record<string, unknown> = {}): Promise<GitHubOidcClaims> {
  return verifyOidcToken(rsaJwt(githubClaims(overrides)), verifyOptions());
}

function refusedMatch(
  claims: GitHubOidcClaims,
  configs: readonly PublisherConfig[],
  code: TrustedPublishingErrorCode,
  message?: RegExp,
): void {
  assert.throws(
    () => matchPublisherConfig(claims, configs),
    (error: unknown) => {
      assert.ok(error instanceof TrustedPublishingError, String(error));
      assert.equal(error.code, code, error.message);
      assert.equal(error.status, 400);
      if (message) assert.match(error.message, message);
      return true;
    },
  );
}

describe("extractWorkflowFilename (crates.io's test table)", () => {
  const table: [string, string | undefined][] = [
    ["foo/bar/.github/workflows/basic.yml@refs/heads/main", "basic.yml"],
    ["foo/bar/.github/workflows/basic.yaml@refs/heads/main", "basic.yaml"],
    ["foo/bar/.github/workflows/has-dash.yml@refs/heads/main", "has-dash.yml"],
    ["foo/bar/.github/workflows/has--dashes.yml@refs/heads/main", "has--dashes.yml"],
    ["foo/bar/.github/workflows/has--dashes-.yml@refs/heads/main", "has--dashes-.yml"],
    ["foo/bar/.github/workflows/has.period.yml@refs/heads/main", "has.period.yml"],
    ["foo/bar/.github/workflows/has..periods.yml@refs/heads/main", "has..periods.yml"],
    ["foo/bar/.github/workflows/has..periods..yml@refs/heads/main", "has..periods..yml"],
    ["foo/bar/.github/workflows/has_underscore.yml@refs/heads/main", "has_underscore.yml"],
    ["foo/bar/.github/workflows/nested@evil.yml@refs/heads/main", "nested@evil.yml"],
    ["foo/bar/.github/workflows/nested.yml@evil.yml@refs/heads/main", "nested.yml@evil.yml"],
    [
      "foo/bar/.github/workflows/extra@nested.yml@evil.yml@refs/heads/main",
      "extra@nested.yml@evil.yml",
    ],
    [
      "foo/bar/.github/workflows/extra.yml@nested.yml@evil.yml@refs/heads/main",
      "extra.yml@nested.yml@evil.yml",
    ],
    ["foo/bar/.github/workflows/basic.yml@refs/heads/misleading@branch.yml", "basic.yml"],
    ["foo/bar/.github/workflows/basic.yml@refs/heads/bad@branch@twomatches.yml", "basic.yml"],
    ["foo/bar/.github/workflows/foo.yml.yml@refs/heads/main", "foo.yml.yml"],
    ["foo/bar/.github/workflows/foo.yml.foo.yml@refs/heads/main", "foo.yml.foo.yml"],
    ["foo/bar/.github/workflows/basic.wrongsuffix@refs/heads/main", undefined],
    ["foo/bar/.github/workflows/@refs/heads/main", undefined],
    ["foo/bar/.github/workflows/nosuffix@refs/heads/main", undefined],
    ["foo/bar/.github/workflows/.yml@refs/heads/main", undefined],
    ["foo/bar/.github/workflows/.yaml@refs/heads/main", undefined],
    ["foo/bar/.github/workflows/main.yml", undefined],
  ];
  for (const [input, expected] of table) {
    it(`${input} → ${expected}`, () => assert.equal(extractWorkflowFilename(input), expected));
  }
});

describe("matchPublisherConfig", () => {
  it("matches and returns the crate", async () => {
    const m = matchPublisherConfig(await claimsOf(), [config()]);
    assert.deepEqual(m.crates, ["octo-crate"]);
    assert.equal(m.workflowFilename, "release.yml");
  });

  it("owner, repository and environment are case-insensitive; a config without environment accepts any", async () => {
    const claims = await claimsOf({
      repository: "Octo-ORG/OCTO-repo",
      repository_owner: "Octo-ORG",
      environment: "PROD",
    });
    assert.deepEqual(matchPublisherConfig(claims, [config({ environment: "Prod" })]).crates, [
      "octo-crate",
    ]);
    assert.deepEqual(matchPublisherConfig(claims, [config()]).crates, ["octo-crate"]);
  });

  it("covers every matching crate, and only those", async () => {
    const configs = [
      config({ id: 1, crate: "b-crate" }),
      config({ id: 2, crate: "a-crate" }),
      config({ id: 3, crate: "a-crate" }),
      config({ id: 4, crate: "other-workflow", workflowFilename: "ci.yml" }),
      config({ id: 5, crate: "other-repo", repository: "other" }),
      config({ id: 6, crate: "staging-only", environment: "staging" }),
      config({ id: 7, crate: "other-issuer", issuer: "https://gitlab.com" }),
    ];
    const m = matchPublisherConfig(await claimsOf(), configs);
    assert.deepEqual(m.crates, ["a-crate", "b-crate"]);
    assert.deepEqual(
      m.configs.map((c) => c.id),
      [1, 2, 3],
    );
  });

  it("refuses pull_request_target and workflow_run", async () => {
    for (const event of ["pull_request_target", "workflow_run"]) {
      refusedMatch(
        await claimsOf({ event_name: event }),
        [config()],
        "refused-event",
        new RegExp(event),
      );
    }
    for (const event of ["push", "release", "workflow_dispatch", "pull_request", "schedule"]) {
      matchPublisherConfig(await claimsOf({ event_name: event }), [config()]);
    }
  });

  it("no config for the repository", async () => {
    refusedMatch(
      await claimsOf(),
      [],
      "no-config",
      /No Trusted Publishing config found for repository `octo-org\/octo-repo`/,
    );
    refusedMatch(await claimsOf(), [config({ repository: "octo-repo2" })], "no-config");
    refusedMatch(await claimsOf(), [config({ repositoryOwner: "octo" })], "no-config");
  });

  it("owner id mismatch (account resurrection) is refused even when everything else matches", async () => {
    refusedMatch(
      await claimsOf({ repository_owner_id: "66" }),
      [config()],
      "owner-id-mismatch",
      /owner ID \(66\).*Expected owner IDs: 65/,
    );
    // Leading zeros are the same number.
    matchPublisherConfig(await claimsOf({ repository_owner_id: "065" }), [config()]);
  });

  it("workflow mismatch (file names are case-sensitive)", async () => {
    refusedMatch(
      await claimsOf({
        workflow_ref: "octo-org/octo-repo/.github/workflows/ci.yml@refs/heads/main",
      }),
      [config()],
      "workflow-mismatch",
      /workflow filename `ci\.yml`.*Expected workflow filenames: `release\.yml`/,
    );
    refusedMatch(
      await claimsOf({
        workflow_ref: "octo-org/octo-repo/.github/workflows/Release.yml@refs/heads/main",
      }),
      [config()],
      "workflow-mismatch",
    );
  });

  it("matches on workflow_ref (as crates.io), not job_workflow_ref", async () => {
    const claims = await claimsOf({
      job_workflow_ref: "other-org/shared/.github/workflows/publish.yml@refs/heads/main",
    });
    assert.deepEqual(matchPublisherConfig(claims, [config()]).crates, ["octo-crate"]);
    refusedMatch(claims, [config({ workflowFilename: "publish.yml" })], "workflow-mismatch");
  });

  it("environment mismatch, and a required environment missing from the token", async () => {
    refusedMatch(
      await claimsOf({ environment: "not-prod" }),
      [config({ environment: "prod" })],
      "environment-mismatch",
      /environment `not-prod`.*Expected environments: `prod`/,
    );
    refusedMatch(
      await claimsOf({ environment: undefined }),
      [config({ environment: "prod" })],
      "environment-mismatch",
      /requires an environment, but the JWT does not specify one/,
    );
  });

  it("refuses malformed repository, workflow_ref and owner id values", async () => {
    refusedMatch(
      await claimsOf({ repository: "what?", repository_owner: "what?" }),
      [config()],
      "invalid-claim",
      /`repository`/,
    );
    refusedMatch(
      await claimsOf({ workflow_ref: "what?" }),
      [config()],
      "invalid-claim",
      /`workflow_ref`/,
    );
    refusedMatch(
      await claimsOf({ repository_owner_id: "what?" }),
      [config()],
      "invalid-claim",
      /`repository_owner_id`/,
    );
    refusedMatch(
      await claimsOf({ repository_owner: "someone-else" }),
      [config()],
      "invalid-claim",
      /repository_owner/,
    );
  });
});

describe("publisherConfigProblem (crates.io validation)", () => {
  it("accepts a good config and names the first problem of a bad one", () => {
    assert.equal(publisherConfigProblem(config()), undefined);
    assert.equal(publisherConfigProblem(config({ environment: "prod" })), undefined);
    const cases: [Partial<PublisherConfig>, RegExp][] = [
      [{ repositoryOwner: "" }, /owner name may not be empty/],
      [{ repositoryOwner: "invalid_characters@" }, /Invalid GitHub repository owner name/],
      [{ repositoryOwnerId: "abc" }, /owner id/],
      [{ repository: "$invalid#characters" }, /Invalid GitHub repository name/],
      [{ workflowFilename: "missing_suffix" }, /must end with/],
      [{ workflowFilename: "/slash.yml" }, /without directories/],
      [{ environment: "" }, /may not be empty/],
      [{ environment: " foo" }, /start with whitespace/],
      [{ environment: "foo;" }, /non-printable/],
    ];
    for (const [overrides, message] of cases) {
      assert.match(publisherConfigProblem(config(overrides)) ?? "", message);
    }
  });
});

describe("exchangeOidcToken", () => {
  const options = (jtiStore = new InMemoryJtiStore(() => NOW)) => ({
    ...verifyOptions(),
    configs: [config(), config({ id: 2, crate: "octo-macros" })],
    jtiStore,
  });

  it("mints a 30-minute token bound to the matching crates, with audit claims", async () => {
    const r = await exchangeOidcToken(rsaJwt(), options());
    assert.deepEqual(classifyToken(r.token), { ok: true, kind: "trusted-publishing" });
    assert.equal(r.tokenHash, hashToken(r.token));
    assert.deepEqual(r.crates, ["octo-crate", "octo-macros"]);
    assert.equal(r.expiresAt.getTime() - NOW.getTime(), TRUSTED_PUBLISHING_TOKEN_LIFETIME_MS);
    assert.equal(TRUSTED_PUBLISHING_TOKEN_LIFETIME_MS, 30 * 60 * 1000);
    assert.deepEqual(r.audit, {
      provider: "github",
      issuer: "https://token.actions.githubusercontent.com",
      repository: "octo-org/octo-repo",
      repositoryOwnerId: "65",
      workflowRef: "octo-org/octo-repo/.github/workflows/release.yml@refs/heads/main",
      workflowFilename: "release.yml",
      jobWorkflowRef: "octo-org/octo-repo/.github/workflows/release.yml@refs/heads/main",
      runId: "987654321",
      runAttempt: "1",
      sha: "0123456789abcdef0123456789abcdef01234567",
      ref: "refs/heads/main",
      eventName: "push",
      environment: "prod",
      jti: "9f2b6a3e-0d1c-4a5b-8e7f-000000000001",
    });
    // The grant the server stores from this result authorizes exactly publish-update of its crates.
    const grant = {
      kind: "trusted-publishing",
      id: 1,
      crates: r.crates,
      expiresAt: r.expiresAt,
      revokedAt: null,
    } as const;
    assert.ok(authorize(grant, { action: "publish-update", crate: "octo-macros" }, NOW).ok);
    assert.ok(!authorize(grant, { action: "publish-update", crate: "octo-crate" }, r.expiresAt).ok);
  });

  it("refuses a replayed jti", async () => {
    const opts = options();
    const jwt = rsaJwt();
    await exchangeOidcToken(jwt, opts);
    await assert.rejects(exchangeOidcToken(jwt, opts), (e: unknown) => {
      assert.ok(e instanceof TrustedPublishingError);
      assert.equal(e.code, "replayed-jti");
      assert.equal(e.message, "JWT has already been used");
      return true;
    });
    // Another token (another jti) from the same run is fine.
    await exchangeOidcToken(rsaJwt(githubClaims({ jti: "second" })), opts);
  });

  it("a refused exchange does not burn the jti (crates.io rolls the insert back)", async () => {
    const jtiStore = new InMemoryJtiStore(() => NOW);
    const jwt = rsaJwt();
    await assert.rejects(
      exchangeOidcToken(jwt, {
        ...options(jtiStore),
        configs: [config({ environment: "staging" })],
      }),
      (e: unknown) => e instanceof TrustedPublishingError && e.code === "environment-mismatch",
    );
    assert.equal(jtiStore.size, 0);
    await exchangeOidcToken(jwt, options(jtiStore));
    assert.equal(jtiStore.size, 1);
  });

  it("keeps the jti until exp + leeway, then forgets it", async () => {
    let now = NOW;
    const jtiStore = new InMemoryJtiStore(() => now);
    await exchangeOidcToken(rsaJwt(), options(jtiStore));
    now = new Date(NOW.getTime() + 354_000); // exp is NOW + 295 s, + 60 s leeway
    await jtiStore.claim("other", new Date(NOW.getTime() + 3_600_000));
    assert.equal(jtiStore.size, 2);
    now = new Date(NOW.getTime() + 356_000);
    await jtiStore.claim("third", new Date(now.getTime() + 1000));
    assert.equal(jtiStore.size, 2); // the exchanged jti is gone, "other" and "third" remain
    assert.equal(await jtiStore.claim("other", new Date(NOW.getTime() + 3_600_000)), false);
  });

  it("asks a config source for the repository's configs", async () => {
    const asked: string[] = [];
    const source = {
      findByRepository: async (issuer: string, owner: string, name: string) => {
        asked.push(`${issuer} ${owner} ${name}`);
        return [config()];
      },
    };
    const r = await exchangeOidcToken(rsaJwt(), { ...options(), configs: source });
    assert.deepEqual(r.crates, ["octo-crate"]);
    assert.deepEqual(asked, ["https://token.actions.githubusercontent.com octo-org octo-repo"]);
  });
});
