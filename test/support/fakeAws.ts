// A fake `aws` CLI, first on PATH, for dump-fetch.sh in the tests and the
// benchmark: it serves $FAKE_S3_ROOT/<bucket>/<key>, appends its argv as a JSON
// line to $FAKE_AWS_LOG when that is set, and implements only what
// dump-fetch.sh uses. Like the real CLI with --output text, it applies the
// query per page (of 2 keys here, to exercise the script's merge of pages);
// it knows exactly the query the script sends and refuses anything else.
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The one listing query dump-fetch.sh sends; the fake refuses any other. */
export const QUERY = "Contents[].[Key, LastModified]";
export const FAKE_AWS = `#!/usr/bin/env node
const fs = require("fs"), path = require("path");
const argv = process.argv.slice(2);
if (process.env.FAKE_AWS_LOG) fs.appendFileSync(process.env.FAKE_AWS_LOG, JSON.stringify(argv) + "\\n");
const root = process.env.FAKE_S3_ROOT;
const die = (code, msg) => { process.stderr.write(msg + "\\n"); process.exit(code); };
const walk = (dir, rel) => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
  e.isDirectory() ? walk(path.join(dir, e.name), rel + e.name + "/") : [rel + e.name]);
const s3path = (uri) => { const m = /^s3:\\/\\/([^/]+)\\/(.*)$/.exec(uri); if (!m) die(2, "bad s3 uri " + uri); return path.join(root, m[1], m[2]); };
if (argv[0] === "s3api" && argv[1] === "list-objects-v2" && argv.length === 10 &&
    argv[2] === "--bucket" && argv[4] === "--prefix" && argv[6] === "--query" && argv[8] === "--output" && argv[9] === "text") {
  const [bucket, prefix, query] = [argv[3], argv[5], argv[7]];
  if (query !== ${JSON.stringify(QUERY)}) die(2, "fake aws: unexpected query " + query);
  const dir = path.join(root, bucket);
  if (!fs.existsSync(dir)) die(254, "An error occurred (NoSuchBucket) when calling the ListObjectsV2 operation: The specified bucket does not exist");
  const keys = walk(dir, "").filter((k) => k.startsWith(prefix)).sort();
  const pages = [];
  for (let i = 0; i < keys.length; i += 2) pages.push(keys.slice(i, i + 2));
  if (pages.length === 0) pages.push([]);
  for (const page of pages) {
    if (page.length === 0) console.log("None");
    for (const k of page) console.log(k + "\\t" + new Date(Math.floor(fs.statSync(path.join(dir, k)).mtimeMs / 1000) * 1000).toISOString().slice(0, 19) + "+00:00");
  }
} else if (argv[0] === "s3" && argv[1] === "cp") {
  const rest = argv.slice(2);
  const flags = rest.filter((a) => a.startsWith("--"));
  const [src, dst] = rest.filter((a) => !a.startsWith("--"));
  for (const f of flags) if (!["--only-show-errors", "--no-progress", "--recursive"].includes(f)) die(2, "fake aws: unexpected flag " + f);
  const from = s3path(src);
  if (flags.includes("--recursive")) fs.cpSync(from, dst, { recursive: true });
  else if (fs.existsSync(from)) fs.copyFileSync(from, dst);
  else die(1, "fatal error: An error occurred (404) when calling the HeadObject operation: Key does not exist");
} else die(2, "fake aws: unexpected arguments " + argv.join(" "));
`;

/** Writes the fake as `<bin>/aws`, executable. */
export function installFakeAws(bin: string): void {
  writeFileSync(join(bin, "aws"), FAKE_AWS);
  chmodSync(join(bin, "aws"), 0o755);
}
