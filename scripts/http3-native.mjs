// `npm install` (postinstall) and `npm run build:http3`: make WebTransport over HTTP/3 available.
// The native part of @moq/web-transport comes prebuilt for common platforms, but the Linux one
// needs glibc 2.38 and it cannot select a protocol on the server side or report QUIC statistics.
// Where Rust's cargo exists, we build the same crate (web-transport-node, pinned below) with our
// small extension (native/http3/moqscope_ext.rs) compiled in; otherwise the prebuilt binary is used
// where it loads; otherwise HTTP/3 stays off and this says why in one line. This script never
// fails the install: every outcome exits 0.
//
// Environment: MOQSCOPE_HTTP3=0 skips it; MOQSCOPE_HTTP3_BUILD=0 uses the prebuilt binary even
// where cargo exists.

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const CRATE = "web-transport-node";
/** The crate release @moq/web-transport 0.1.4 was built from (its napi.d.cts matches this lib.rs). */
const CRATE_VERSION = "0.0.7";
const EXTENSION = join(ROOT, "native", "http3", "moqscope_ext.rs");
const WORK = join(ROOT, "node_modules", ".cache", "moqscope", "http3");
const BINARY = join(WORK, "web-transport.node");
const STAMP = join(WORK, "stamp.json");

const say = (line) => process.stdout.write(`moqscope http3: ${line}\n`);

function main() {
  if (process.env.MOQSCOPE_HTTP3 === "0") return say("skipped (MOQSCOPE_HTTP3=0): HTTP/3 stays off");
  const wanted = stampOf();
  if (existsSync(BINARY) && readStamp() === wanted && loads(BINARY))
    return say(`using the binary built earlier (${BINARY})`);

  const cargo = process.env.MOQSCOPE_HTTP3_BUILD === "0" ? undefined : findCargo();
  if (cargo) {
    const started = Date.now();
    say(`building ${CRATE} ${CRATE_VERSION} with cargo (a few minutes the first time)…`);
    const failure = build(cargo);
    if (!failure) {
      writeFileSync(STAMP, wanted);
      return say(`built in ${Math.round((Date.now() - started) / 1000)} s: ${BINARY}`);
    }
    say(`build failed (${failure}); trying the prebuilt binary`);
  }
  const prebuilt = prebuiltLoads();
  if (prebuilt === true)
    return say(
      "using @moq/web-transport's prebuilt binary (its server cannot select a protocol: HTTP/3 sessions to this relay use moq-lite-01/02)",
    );
  say(
    `HTTP/3 disabled: ${prebuilt}${cargo ? "" : "; install Rust (https://rustup.rs) and run npm run build:http3 to build it"}`,
  );
}

/** What the current binary must have been built from. */
function stampOf() {
  const ext = existsSync(EXTENSION) ? readFileSync(EXTENSION) : Buffer.alloc(0);
  return JSON.stringify({ crate: CRATE_VERSION, extension: createHash("sha256").update(ext).digest("hex") });
}

function readStamp() {
  try {
    return readFileSync(STAMP, "utf8");
  } catch {
    return undefined;
  }
}

function findCargo() {
  const candidates = [process.env.CARGO, "cargo", join(process.env.HOME ?? "", ".cargo", "bin", "cargo")];
  return candidates.find((c) => c && spawnSync(c, ["--version"], { stdio: "ignore" }).status === 0);
}

/** Undefined when the binary was built and loads; else what went wrong. */
function build(cargo) {
  rmSync(WORK, { recursive: true, force: true });
  const fetchDir = join(WORK, "fetch");
  mkdirSync(join(fetchDir, "src"), { recursive: true });
  // A throwaway package that depends on the crate: cargo downloads and checksums it for us.
  writeFileSync(
    join(fetchDir, "Cargo.toml"),
    `[package]\nname = "moqscope-http3-fetch"\nversion = "0.0.0"\nedition = "2021"\npublish = false\n\n` +
      `[dependencies]\n${CRATE} = "=${CRATE_VERSION}"\n`,
  );
  writeFileSync(join(fetchDir, "src", "lib.rs"), "");
  const manifest = join(fetchDir, "Cargo.toml");
  const fetched = run(cargo, ["fetch", "--manifest-path", manifest]);
  if (fetched) return `cargo fetch: ${fetched}`;
  const meta = spawnSync(cargo, ["metadata", "--format-version", "1", "--manifest-path", manifest], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (meta.status !== 0) return `cargo metadata: ${lastLine(meta.stderr)}`;
  const pkg = JSON.parse(meta.stdout).packages.find((p) => p.name === CRATE && p.version === CRATE_VERSION);
  if (!pkg) return `cargo did not resolve ${CRATE} ${CRATE_VERSION}`;

  // Our copy of the crate, with the extension as a child module of its lib.rs.
  const src = join(WORK, "crate");
  cpSync(dirname(pkg.manifest_path), src, { recursive: true });
  copyFileSync(EXTENSION, join(src, "src", "moqscope_ext.rs"));
  writeFileSync(join(src, "src", "lib.rs"), `${readFileSync(join(src, "src", "lib.rs"), "utf8")}\nmod moqscope_ext;\n`);
  const target = join(WORK, "target");
  const built = run(cargo, [
    "build",
    "--release",
    "--locked",
    "--manifest-path",
    join(src, "Cargo.toml"),
    "--target-dir",
    target,
  ]);
  if (built) return `cargo build: ${built}`;

  const library = {
    linux: "libweb_transport_node.so",
    darwin: "libweb_transport_node.dylib",
    win32: "web_transport_node.dll",
  }[process.platform];
  const output = library && join(target, "release", library);
  if (!output || !existsSync(output)) return `no ${library ?? "library"} in ${join(target, "release")}`;
  copyFileSync(output, BINARY);
  // The build tree is large; only the binary is needed.
  rmSync(target, { recursive: true, force: true });
  rmSync(fetchDir, { recursive: true, force: true });
  return loads(BINARY) ? undefined : `${BINARY} does not load`;
}

/** Undefined on success; else the last line cargo printed. */
function run(cargo, args) {
  const result = spawnSync(cargo, args, { encoding: "utf8", stdio: ["ignore", "ignore", "pipe"] });
  return result.status === 0 ? undefined : lastLine(result.stderr) || `exit ${result.status}`;
}

function lastLine(text) {
  return (text ?? "")
    .trim()
    .split("\n")
    .filter((l) => l.trim() !== "")
    .slice(-1)[0];
}

/** Load in a child process: a binary that crashes on load must not take this script down. */
function loads(file) {
  const probe = `require(${JSON.stringify(file)})`;
  return spawnSync(process.execPath, ["-e", probe], { stdio: "ignore" }).status === 0;
}

/** True, or why the prebuilt binary does not load. */
function prebuiltLoads() {
  let napi;
  try {
    napi = join(dirname(dirname(createRequire(import.meta.url).resolve("@moq/web-transport"))), "napi.cjs");
  } catch {
    return "@moq/web-transport is not installed";
  }
  const probe = spawnSync(process.execPath, ["-e", `require(${JSON.stringify(napi)})`], { encoding: "utf8" });
  if (probe.status === 0) return true;
  const glibc = /GLIBC_(\d+\.\d+)' not found/.exec(probe.stderr);
  if (glibc) return `the prebuilt @moq/web-transport binary needs glibc ${glibc[1]}, newer than this system's`;
  return `the prebuilt @moq/web-transport binary does not load here (${lastLine(probe.stderr) ?? "no output"})`;
}

try {
  main();
} catch (err) {
  say(`skipped after an unexpected error: ${err instanceof Error ? err.message : String(err)}`);
}
