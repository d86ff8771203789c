import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ansiStyle, chooseStyle, plainStyle } from "../../src/report/style.js";

describe("colour choice (cargo's rules)", () => {
  const cases: [
    string,
    Parameters<typeof chooseStyle>[0],
    NodeJS.ProcessEnv,
    boolean,
    typeof ansiStyle,
  ][] = [
    ["a TTY colours by default", undefined, {}, true, ansiStyle],
    ["a pipe does not", undefined, {}, false, plainStyle],
    ["--color always wins over NO_COLOR", "always", { NO_COLOR: "1" }, false, ansiStyle],
    ["--color never wins over a TTY", "never", {}, true, plainStyle],
    ["NO_COLOR turns it off on a TTY", undefined, { NO_COLOR: "1" }, true, plainStyle],
    ["an empty NO_COLOR is ignored", undefined, { NO_COLOR: "" }, true, ansiStyle],
    [
      "CARGO_TERM_COLOR=always colours a pipe",
      undefined,
      { CARGO_TERM_COLOR: "always" },
      false,
      ansiStyle,
    ],
    ["CARGO_TERM_COLOR=never", undefined, { CARGO_TERM_COLOR: "never" }, true, plainStyle],
    [
      "NO_COLOR beats CARGO_TERM_COLOR",
      undefined,
      { NO_COLOR: "1", CARGO_TERM_COLOR: "always" },
      true,
      plainStyle,
    ],
    [
      "an unknown CARGO_TERM_COLOR falls back to auto",
      undefined,
      { CARGO_TERM_COLOR: "sometimes" },
      false,
      plainStyle,
    ],
  ];
  for (const [name, choice, env, tty, expected] of cases) {
    test(name, () => assert.equal(chooseStyle(choice, env, tty), expected));
  }
});
