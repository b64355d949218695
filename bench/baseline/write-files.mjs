#!/usr/bin/env node
/**
 * The baseline of the `generate` figure: a plain Node script that writes the bytes otpiser generated (read from a
 * pack prepared before timing) to the same paths under a directory that does not exist yet. Plain JavaScript, no
 * imports beyond node:, so its start-up is Node's own.
 *
 *   node write-files.mjs PACK OUT --durable   as durable as otpiser's writer: every file is created in a sibling
 *                                             stage directory and fsynced, every directory of the stage is
 *                                             fsynced, the stage is renamed into place and the parent fsynced
 *   node write-files.mjs PACK OUT --plain     mkdir -p + writeFileSync straight into OUT, no fsync
 *
 * PACK is PACK.json (an index of [path, offset, length]) beside PACK.bin (the concatenated bytes).
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

const [pack, outArg, mode] = process.argv.slice(2);
if (!pack || !outArg || (mode !== "--durable" && mode !== "--plain")) {
  process.stderr.write("usage: write-files.mjs PACK OUT --durable|--plain\n");
  process.exit(2);
}
const index = JSON.parse(readFileSync(`${pack}.json`, "utf8"));
const bytes = readFileSync(`${pack}.bin`);
const out = resolve(outArg);

function syncDir(dir) {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

if (mode === "--plain") {
  const made = new Set();
  for (const [path, offset, length] of index) {
    const file = join(out, path);
    const dir = dirname(file);
    if (!made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    writeFileSync(file, bytes.subarray(offset, offset + length));
  }
} else {
  const parent = dirname(out);
  const stage = join(parent, `.stage-${process.pid}`);
  mkdirSync(stage);
  const dirs = new Set([stage]);
  for (const [path, offset, length] of index) {
    const file = join(stage, path);
    for (let d = dirname(file); d.startsWith(stage) && !dirs.has(d); d = dirname(d)) {
      mkdirSync(d, { recursive: true });
      dirs.add(d);
    }
    const fd = openSync(file, "wx");
    try {
      writeSync(fd, bytes, offset, length);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  for (const d of dirs) syncDir(d);
  renameSync(stage, out);
  syncDir(parent);
}
