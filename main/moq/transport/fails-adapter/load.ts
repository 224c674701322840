// Import the package once, on first use, without letting it print.
//
// Workaround (checked against 1.6.8): importing the package starts two probes for its optional
// native HTTP/3 part (lib/webtransport.node.js and lib/server.js). When that part is missing (always
// on our machines) their rejection handlers print "Problem loading http3-quiche transport", "Did you
// install @fails-components/webtransport-transport-http3-quiche?" (console.error) and "http3 loader:"
// plus the error (console.log), a few ticks after the import resolved. The library never writes to
// the console, so while the package loads we drop exactly those lines and pass everything else on.
// test/unit/transport/webtransport-adapter.test.ts checks the package still prints only these.

import type { FailsModule } from "./package-types.ts";

export interface LoadedPackage {
  mod: FailsModule;
  /** True when the native HTTP/3 part loaded (never on these build machines). */
  http3: boolean;
}

/** The first words of every line the package prints while it loads without its HTTP/3 part. */
export const PACKAGE_NOISE: readonly RegExp[] = [
  /^http3 loader:/,
  /^Problem loading http3-quiche transport/,
  /^Did you install @fails-components\//,
];

let loading: Promise<LoadedPackage> | undefined;

/** Import the package; later calls share the result. */
export function loadFailsPackage(): Promise<LoadedPackage> {
  loading ??= load();
  return loading;
}

async function load(): Promise<LoadedPackage> {
  const restore = muteConsole(PACKAGE_NOISE);
  try {
    const mod = (await import("@fails-components/webtransport")) as unknown as FailsModule;
    // Settles after the client-side probe has printed.
    await mod.quicheLoaded;
    const http3 = await import("@fails-components/webtransport-transport-http3-quiche" as string).then(
      () => true,
      () => false,
    );
    // The server module's probe prints from rejection handlers of its own. With 1.6.8 they have run
    // by now; two more turns of the event loop are a margin, since nothing awaits them for us.
    await new Promise((r) => setTimeout(r, 0));
    await new Promise((r) => setTimeout(r, 0));
    return { mod, http3 };
  } finally {
    restore();
  }
}

/** Drop console.log/console.error calls whose first argument matches one of `patterns`. */
/* eslint-disable no-console -- the one place the library touches the console: it silences the package while it loads */
function muteConsole(patterns: readonly RegExp[]): () => void {
  const { log, error } = console;
  const filter =
    (orig: (...args: unknown[]) => void) =>
    (...args: unknown[]) => {
      const first = args[0];
      if (typeof first === "string" && patterns.some((p) => p.test(first))) return;
      orig(...args);
    };
  console.log = filter(log);
  console.error = filter(error);
  return () => {
    console.log = log;
    console.error = error;
  };
}
/* eslint-enable no-console */
