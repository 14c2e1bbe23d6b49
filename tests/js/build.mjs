// `npm run build`: bundle the official Socket.IO client for node into one committed file,
// vendor/socket.io-client.cjs, with the licences of every package inside it beside it.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { build } from "esbuild";

const lock = JSON.parse(readFileSync("package-lock.json", "utf8"));
const client = lock.packages["node_modules/socket.io-client"].version;

const result = await build({
  entryPoints: ["entry.js"],
  bundle: true,
  platform: "node",
  target: "node18",
  format: "cjs",
  // ws loads these native speed-ups only if they are installed; the bundle does without.
  external: ["bufferutil", "utf-8-validate"],
  legalComments: "eof",
  banner: {
    js: `// socket.io-client ${client} and its dependencies, bundled for node by \`npm run build\`\n// in tests/js (see README.md there). Generated: do not edit. Licences: THIRD_PARTY_LICENSES.txt`,
  },
  metafile: true,
  outfile: "vendor/socket.io-client.cjs",
  logLevel: "info",
});

// Every package with a file in the bundle, named as the lock file has it.
const packages = new Set();
for (const input of Object.keys(result.metafile.inputs)) {
  const match = input.match(/^node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (match) packages.add(match[1]);
}
const notices = [...packages].sort().map((name) => {
  const folder = `node_modules/${name}`;
  const file = readdirSync(folder).find((entry) => /^licen[cs]e/i.test(entry));
  if (!file) throw new Error(`${name} has no licence file`);
  const { version } = lock.packages[folder];
  return `${name}@${version}\n\n${readFileSync(`${folder}/${file}`, "utf8").trim()}\n`;
});
writeFileSync("vendor/THIRD_PARTY_LICENSES.txt", notices.join(`\n${"-".repeat(72)}\n\n`));
