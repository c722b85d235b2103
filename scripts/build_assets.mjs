// Copy the pinned front-end libraries from node_modules into
// gongzhi/web/static/vendor/ (git-ignored). Run by `npm run build` after
// `npm ci`; nothing is loaded from a CDN at run time.
//
// The output paths are a contract other templates rely on:
//   vendor/leaflet/leaflet.js, vendor/leaflet/leaflet.css, vendor/leaflet/images/
//   vendor/echarts/echarts.min.js
//   vendor/htmx/htmx.min.js
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const modules = join(root, "node_modules");
const vendor = join(root, "gongzhi", "web", "static", "vendor");

// [package, source path inside the package, destination inside vendor/]
const copies = [
  ["leaflet", "dist/leaflet.js", "leaflet/leaflet.js"],
  ["leaflet", "dist/leaflet.css", "leaflet/leaflet.css"],
  ["leaflet", "dist/images", "leaflet/images"],
  ["leaflet", "LICENSE", "leaflet/LICENSE"],
  ["echarts", "dist/echarts.min.js", "echarts/echarts.min.js"],
  ["echarts", "LICENSE", "echarts/LICENSE"],
  ["htmx.org", "dist/htmx.min.js", "htmx/htmx.min.js"],
  ["htmx.org", "LICENSE", "htmx/LICENSE"],
];

function fail(message) {
  console.error(`build_assets: ${message}`);
  process.exit(1);
}

if (!existsSync(modules)) {
  fail("node_modules/ is missing; run `npm ci` first.");
}

rmSync(vendor, { recursive: true, force: true });
const versions = {};
for (const [pkg, source, dest] of copies) {
  const from = join(modules, pkg, source);
  if (!existsSync(from)) {
    fail(`${pkg}/${source} not found; is the pinned version installed (npm ci)?`);
  }
  const to = join(vendor, dest);
  mkdirSync(dirname(to), { recursive: true });
  cpSync(from, to, { recursive: true });
  versions[pkg] = JSON.parse(readFileSync(join(modules, pkg, "package.json"), "utf8")).version;
}
writeFileSync(join(vendor, "versions.json"), JSON.stringify(versions, null, 2) + "\n");
console.log(
  `build_assets: copied ${copies.length} items into ${vendor} (` +
    Object.entries(versions)
      .map(([pkg, version]) => `${pkg} ${version}`)
      .join(", ") +
    ")",
);
