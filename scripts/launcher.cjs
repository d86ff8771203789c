#!/usr/bin/env node
// The `cratesec` executable: runs the single-file bundle through V8's code cache. The first run
// compiles the bundle and stores the compiled code (with every function that run needed) under
// the cache directory; later runs skip parsing and compiling, which is most of a short command's
// start-up. Any problem with the cache only means compiling as usual.
"use strict";
const { createHash } = require("node:crypto");
const fs = require("node:fs");
const Module = require("node:module");
const os = require("node:os");
const path = require("node:path");
const vm = require("node:vm");

const bundle = path.join(__dirname, "cratesec-bundle.cjs");
const source = fs.readFileSync(bundle, "utf8");

/**
 * One cache per command (`audit`, `advisories list`, …): the cache holds the functions the run
 * that wrote it compiled, so `--version` must not write the one `audit` reads.
 */
function commandWords() {
  const words = [];
  for (const arg of process.argv.slice(2)) {
    if (words.length === 2 || !/^[a-z][a-z-]{0,30}$/.test(arg)) break;
    words.push(arg);
  }
  return words.join(" ");
}

function cacheFile() {
  if (process.env.CRATESEC_NO_CODE_CACHE) return null;
  const stat = fs.statSync(bundle);
  const key = createHash("sha256")
    .update(`${bundle}\0${stat.size}\0${stat.mtimeMs}\0${process.version}\0${process.arch}\0${commandWords()}`)
    .digest("hex")
    .slice(0, 32);
  const root = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(root, "cratesec", "code-cache", `${key}.bin`);
}

let file = null;
let cachedData;
try {
  file = cacheFile();
  if (file) cachedData = fs.readFileSync(file);
} catch {
  cachedData = undefined;
}

const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData });
if (file && (cachedData === undefined || script.cachedDataRejected)) {
  process.once("beforeExit", () => {
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, script.createCachedData());
      fs.renameSync(tmp, file);
    } catch {
      // A read-only or full cache directory: next time compiles again.
    }
  });
}
const mod = new Module(bundle, module);
mod.filename = bundle;
mod.paths = Module._nodeModulePaths(__dirname);
script.runInThisContext()(mod.exports, Module.createRequire(bundle), mod, bundle, __dirname);
