// Finding the native part of @moq/web-transport, once per process. In order:
//   1. $MOQSCOPE_HTTP3_NATIVE, a path to a binary (for packagers and tests);
//   2. the binary `npm install` built from the web-transport-node crate with our extension
//      (scripts/http3-native.mjs), in node_modules/.cache/moqscope/http3/;
//   3. the package's prebuilt binary (needs glibc 2.38 on Linux).
// MOQSCOPE_HTTP3=0 turns HTTP/3 off. Nothing here throws: a missing binary is a reason string.

import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { NativeBinding } from "./binding.ts";

export type Http3Source = "env" | "built" | "prebuilt";

export type Http3Status =
  | { available: true; binding: NativeBinding; source: Http3Source; path: string; extended: boolean }
  | { available: false; reason: string };

/** Where scripts/http3-native.mjs leaves the binary it builds, relative to node_modules. */
export const BUILT_BINARY = join(".cache", "moqscope", "http3", "web-transport.node");

// From a path, not import.meta.url: the bundler rewrites `createRequire(import.meta.url)` into a
// second `require` next to electron-vite's own shim, and the bundle then fails to load.
const nodeRequire = createRequire(fileURLToPath(import.meta.url));
let status: Http3Status | undefined;

export function loadHttp3(): Http3Status {
  status ??= locate();
  return status;
}

function locate(): Http3Status {
  if (process.env.MOQSCOPE_HTTP3 === "0") return { available: false, reason: "turned off by MOQSCOPE_HTTP3=0" };
  const fromEnv = process.env.MOQSCOPE_HTTP3_NATIVE;
  if (fromEnv) return loadFile(fromEnv, "env") ?? unavailable(`cannot load ${fromEnv} (MOQSCOPE_HTTP3_NATIVE)`);

  let packageDir: string;
  try {
    // The exports map hides package.json and napi.cjs, but not the entry point's location.
    packageDir = dirname(dirname(nodeRequire.resolve("@moq/web-transport")));
  } catch {
    return unavailable("@moq/web-transport is not installed");
  }
  const built = join(dirname(dirname(packageDir)), BUILT_BINARY);
  if (existsSync(built)) {
    const loaded = loadFile(built, "built");
    if (loaded) return loaded;
  }
  try {
    const binding = nodeRequire(join(packageDir, "napi.cjs")) as NativeBinding;
    return { available: true, binding, source: "prebuilt", path: packageDir, extended: isExtended(binding) };
  } catch (err) {
    return unavailable(prebuiltFailure(err));
  }
}

let lastLoadError = "";

function loadFile(path: string, source: Http3Source): Http3Status | undefined {
  try {
    const binding = nodeRequire(path) as NativeBinding;
    if (typeof binding.NapiClient?.withCertificateHashes !== "function") {
      lastLoadError = `${path} is not a @moq/web-transport binary`;
      return undefined;
    }
    return { available: true, binding, source, path, extended: isExtended(binding) };
  } catch (err) {
    lastLoadError = err instanceof Error ? err.message : String(err);
    return undefined;
  }
}

function unavailable(reason: string): Http3Status {
  return {
    available: false,
    reason: lastLoadError && !reason.includes(lastLoadError) ? `${reason}: ${lastLoadError}` : reason,
  };
}

/** Our extension adds `moqscopeStats` to sessions; its presence on the prototype says which binary this is. */
function isExtended(binding: NativeBinding): boolean {
  const server = (binding as unknown as { NapiSession?: { prototype?: object } }).NapiSession;
  return typeof (server?.prototype as { moqscopeStats?: unknown } | undefined)?.moqscopeStats === "function";
}

/** Why the prebuilt binary did not load, in words a user can act on. */
function prebuiltFailure(err: unknown): string {
  const text =
    err instanceof Error ? `${err.message} ${String((err as { cause?: unknown }).cause ?? "")}` : String(err);
  const glibc = /GLIBC_(\d+\.\d+)' not found/.exec(text);
  if (glibc) {
    const header = process.report?.getReport?.() as { header?: { glibcVersionRuntime?: string } } | undefined;
    const have = header?.header?.glibcVersionRuntime;
    return (
      `the prebuilt @moq/web-transport binary needs glibc ${glibc[1]}${have ? ` (this system has ${have})` : ""}, ` +
      "and no binary was built at install time (that needs Rust's cargo: install it, then run npm run build:http3)"
    );
  }
  return `@moq/web-transport has no binary for ${process.platform}-${process.arch} that loads here (${text.trim().slice(0, 200)})`;
}
