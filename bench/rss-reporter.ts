/** Loaded with `node --import` into a measured process: reports its peak RSS when it exits. */
process.on("exit", () => {
  process.stderr.write(`\ncratesec-bench-maxrss-kib=${process.resourceUsage().maxRSS}\n`);
});
