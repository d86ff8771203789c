import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findBareMentions } from "../../src/advisory/mentions.js";
import { splitParts } from "../../src/advisory/parts.js";

describe("splitParts (parts.rs)", () => {
  it("splits front matter, title and description", () => {
    const r = splitParts(
      "```toml\n\n[advisory]\nid = 1\n\n```\n\n# Title here  \n\n  Body\ntext\n\n",
    );
    assert.ok(r.ok);
    assert.equal(r.parts.frontMatter, "[advisory]\nid = 1");
    assert.equal(r.parts.frontMatterLine, 3);
    assert.equal(r.parts.title, "Title here");
    assert.equal(r.parts.description, "Body\ntext");
    assert.equal(r.parts.markdownLine, 8);
  });

  it("keeps rustsec's split points: the first \\n``` ends the front matter", () => {
    const r = splitParts("```toml\na = 1\n```\n# T\n\n```rust\nlet x = 1;\n```\n");
    assert.ok(r.ok);
    assert.equal(r.parts.frontMatter, "a = 1");
    assert.equal(r.parts.description, "```rust\nlet x = 1;\n```");
    // A fence inside a TOML multi-line string still ends the front matter.
    const early = splitParts('```toml\na = """\n```\n"""\n```\n# T\nx');
    assert.ok(!early.ok);
  });

  it("reports each structural error", () => {
    const err = (text: string): string => {
      const r = splitParts(text);
      assert.ok(!r.ok);
      return r.error.message;
    };
    assert.equal(
      err("# Title\n```toml\n```"),
      'unexpected start of advisory: "# Title\\n```toml\\n```"',
    );
    assert.equal(err("```toml\na = 1\n"), "couldn't find end of TOML front matter in advisory");
    assert.equal(err("```toml\n```\nTitle\n"), "expected `# ` header after TOML front matter");
    assert.equal(err("```toml\n```\n#Title\n"), "expected `# ` header after TOML front matter");
    assert.equal(err("```toml\n```\n# Title"), "no Markdown body (i.e. description) found");
  });

  it("keeps a title's leading spaces after `# ` (only the end is trimmed)", () => {
    // The real DB has `#  Use after free …` (two spaces); rustsec's OSV summary keeps the space.
    const r = splitParts("```toml\n```\n\n#  Leading space  \n\nBody\n");
    assert.ok(r.ok);
    assert.equal(r.parts.title, " Leading space");
    assert.equal(r.parts.description, "Body");
  });

  it("trims like Rust: U+FEFF is not whitespace, U+0085 is", () => {
    const r = splitParts("```toml\n```\n\u0085# T\nx\uFEFF");
    assert.ok(r.ok);
    assert.equal(r.parts.description, "x\uFEFF");
  });
});

describe("bare @mentions (linter.rs)", () => {
  it("flags bare mentions and ignores e-mails, code and links with dots", () => {
    const md = [
      "# Title",
      "Thanks to @alice for the report.",
      "Mail bob@example.com or see `@decorator` usage.",
      "Found by (@carol)",
      "See [@dave](https://github.com/dave).",
      "@ alone, and x@y@zed",
    ].join("\n");
    assert.deepEqual(findBareMentions(md), [
      { line: 1, col: 10, user: "alice" },
      { line: 3, col: 10, user: "carol" },
      { line: 5, col: 16, user: "zed" },
    ]);
  });

  it("reports at most one mention per line", () => {
    assert.equal(findBareMentions("@a and @b").length, 1);
  });
});
