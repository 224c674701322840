// Import boundaries, checked by dependency-cruiser in `npm test` (npm run lint:boundaries).
// Every arrow points down: the renderer and preload know only the IPC contract, Electron knows
// the app services, the app services know the library through its public entries, and inside
// the library coding < model < wire < session < relay. Code that must also run in a browser
// (the renderer, and the environment-neutral part of the library) imports nothing from Node.

const ELECTRON = "(^|/)node_modules/electron/|^electron(/|$)";
// Paths are relative to the folder depcruise runs in (the repository root).
const LIBRARY = "^main/moq/";
// The environment-neutral library: what `main/moq/index.ts` exports and a browser may load.
const NEUTRAL = "^main/moq/(coding|model|lite)/|^main/moq/(errors|mux|index)\\.ts$";
// Node-only packages: anything that needs sockets, TLS or HTTP servers.
const NODE_PACKAGES = "(^|/)node_modules/(ws|@fails-components/[^/]+)/";

/** A rule that forbids imports from `from` to `to` (both regular expressions on paths). */
function forbid(name, comment, from, to, extra = {}) {
  return { name, comment, severity: "error", from: { path: from }, to: { path: to, ...extra } };
}

module.exports = {
  forbidden: [
    // ---- the library knows nothing of the app ----
    forbid(
      "library-knows-no-app",
      "main/moq is the MoQ library: no Electron and no app code (studio, ipc, cli, main/index.ts, preload, renderer)",
      LIBRARY,
      `${ELECTRON}|^main/(studio|ipc|cli)/|^main/index\\.ts$|^(preload|renderer)/`,
    ),
    forbid(
      "library-writes-no-console-packages",
      "main/moq reports through events or a logger the caller passes: no logging packages",
      LIBRARY,
      "(^|/)node_modules/(debug|pino|winston)/",
    ),

    // ---- layers inside the library ----
    forbid(
      "coding-is-the-floor",
      "main/moq/coding (varints, readers, writers) builds on nothing but itself and the error types",
      "^main/moq/coding/",
      "^main/moq/(?!coding/|errors\\.ts$)",
    ),
    forbid(
      "model-knows-no-dialect",
      "main/moq/model (paths, broadcasts, tracks, groups) is dialect-neutral: no wire format, session, transport or relay",
      "^main/moq/model/",
      "^main/moq/(?!model/|coding/|errors\\.ts$)",
    ),
    forbid(
      "wire-below-session",
      "main/moq/lite/wire encodes messages: it may use coding and model, never the session, transports or relay",
      "^main/moq/lite/wire/",
      "^main/moq/(?!lite/wire/|coding/|model/|errors\\.ts$)",
    ),
    forbid(
      "session-below-relay",
      "main/moq/lite/session runs one peer session: it may not reach up to the relay, the Node entry or connect()",
      "^main/moq/lite/session/",
      "^main/moq/(relay/|node\\.ts$|connect\\.ts$|index\\.ts$)",
    ),
    forbid(
      "session-knows-transports-by-type",
      "the session runs on any W3C-WebTransport-shaped session: it may name transport types (import type), never load a transport",
      "^main/moq/lite/session/",
      "^main/moq/transport/",
      { dependencyTypesNot: ["type-only"] },
    ),
    forbid(
      "transport-below-session",
      "main/moq/transport carries bytes: it may use coding and wire (ALPN names), never the session, model, mux or relay",
      "^main/moq/transport/",
      "^main/moq/(lite/session/|model/|relay/|mux\\.ts$|connect\\.ts$|index\\.ts$|node\\.ts$)",
    ),
    forbid(
      "relay-is-the-top",
      "main/moq/relay sits on top of the library: only the Node entry imports it",
      "^main/moq/(?!relay/|node\\.ts$)",
      "^main/moq/relay/",
    ),

    // ---- code that must run in a browser ----
    forbid(
      "neutral-library-has-no-node",
      "the environment-neutral library (coding, model, lite, mux, errors, index.ts) runs in browsers too: no Node built-ins",
      NEUTRAL,
      ".",
      { dependencyTypes: ["core"] },
    ),
    forbid(
      "neutral-library-stays-neutral",
      "the environment-neutral library (coding, model, lite, mux, errors, index.ts) may not load transports, the relay, Node-only packages or the Node entry",
      NEUTRAL,
      `^main/moq/(transport/|relay/|node\\.ts$|connect\\.ts$)|${NODE_PACKAGES}`,
      { dependencyTypesNot: ["type-only"] },
    ),
    forbid(
      "renderer-has-no-node",
      "renderer never touches Node: no Node built-ins, no electron (use the window.moqscope API)",
      "^renderer/",
      `${ELECTRON}|${NODE_PACKAGES}`,
    ),
    forbid(
      "renderer-has-no-node-builtins",
      "renderer never touches Node: no Node built-in modules",
      "^renderer/",
      ".",
      {
        dependencyTypes: ["core"],
      },
    ),
    forbid(
      "renderer-talks-to-the-api",
      "renderer talks only to the API object: nothing from main/** (except contract types) or preload",
      "^renderer/",
      "^main/(?!ipc/contract\\.ts$)|^preload/",
    ),
    forbid(
      "renderer-uses-contract-types",
      "renderer may use main/ipc/contract.ts through `import type` only",
      "^renderer/",
      "^main/ipc/contract\\.ts$",
      { dependencyTypesNot: ["type-only"] },
    ),

    // ---- the app layers ----
    forbid(
      "apps-use-the-public-entry",
      "app code (studio, cli, ipc, the Electron bootstrap) uses the library through main/moq/index.ts or main/moq/node.ts only",
      "^main/(studio/|cli/|ipc/|index\\.ts$)",
      "^main/moq/(?!(index|node)\\.ts$)",
    ),
    forbid(
      "studio-knows-no-electron",
      "main/studio is app services without Electron: no electron, ipc (but the contract's types), cli, main/index.ts, preload, renderer",
      "^main/studio/",
      `${ELECTRON}|^main/ipc/(?!contract\\.ts$)|^main/cli/|^main/index\\.ts$|^(preload|renderer)/`,
    ),
    forbid(
      "studio-uses-contract-types",
      "main/studio speaks the contract's shapes through `import type` only",
      "^main/studio/",
      "^main/ipc/contract\\.ts$",
      { dependencyTypesNot: ["type-only"] },
    ),
    forbid(
      "cli-is-plain-node",
      "main/cli runs on plain Node: no electron, preload or renderer",
      "^main/cli/",
      `${ELECTRON}|^(preload|renderer)/`,
    ),
    forbid(
      "contract-imports-nothing",
      "main/ipc/contract.ts is shared verbatim with preload and renderer: it imports nothing",
      "^main/ipc/contract\\.ts$",
      ".",
    ),
    forbid(
      "preload-exposes-the-contract",
      "preload exposes only the contract: it may import electron and main/ipc/contract.ts types, nothing else",
      "^preload/",
      `^(?!preload/|main/ipc/contract\\.ts$)(?!.*(${ELECTRON}))`,
    ),
    forbid(
      "preload-uses-contract-types",
      "preload may use main/ipc/contract.ts through `import type` only",
      "^preload/",
      "^main/ipc/contract\\.ts$",
      { dependencyTypesNot: ["type-only"] },
    ),
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(out|dist|node_modules)/" },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { conditionNames: ["import", "node", "default"], extensions: [".ts", ".js", ".svelte"] },
  },
};
