// moqscope relay: the embedded moq-lite relay, headless. Serves WebSocket/QMux and WebTransport
// over HTTP/2 on one port (HTTP/3 where its native part is installed), logs sessions,
// announcements and subscriptions, and with --demo publishes live demo broadcasts.

import {
  AuthUrlError,
  Relay,
  authServer,
  authorize,
  formatLogEntry,
  loadAuthKey,
  loadCertificateFiles,
  startOpsServer,
} from "../../moq/node.ts";
import type { AuthKey, Authorize, GrantInput, RelayLogEntry, SessionRequest } from "../../moq/node.ts";
import { protocolOffer } from "../../studio/connections/target.ts";
import { startDemo } from "../../studio/demo/index.ts";
import type { CommandRun } from "../command.ts";
import { CliError, UsageError } from "../errors.ts";
import { parseCommand, expectPositionals, commonOptions } from "../options.ts";
import { Output } from "../output.ts";
import { DEFAULT_BIND, isLoopback, parseBind } from "../relay/bind.ts";
import { LocalPublisher } from "../relay/local-publisher.ts";
import { publicPatterns } from "../relay/public-patterns.ts";
import { untilAborted } from "../signals.ts";
import { commandHelp } from "../usage.ts";

const OPTIONS = {
  bind: { type: "string" },
  public: { type: "string", multiple: true },
  "auth-public": { type: "string", multiple: true },
  "auth-public-publish": { type: "string", multiple: true },
  "auth-public-subscribe": { type: "string", multiple: true },
  "auth-key": { type: "string" },
  "auth-url": { type: "string" },
  node: { type: "string" },
  "internal-listen": { type: "string" },
  cert: { type: "string" },
  key: { type: "string" },
  demo: { type: "boolean" },
} as const;

export const runRelay: CommandRun = async (argv, ctx) => {
  const { values, positionals } = parseCommand("relay", argv, OPTIONS);
  if (values.help) {
    process.stdout.write(commandHelp("relay"));
    return 0;
  }
  expectPositionals("relay", positionals, []);
  const common = commonOptions("relay", values);
  const out = (ctx.out = new Output(common));
  const bind = parseBind(values.bind ?? DEFAULT_BIND);
  if ((values.cert === undefined) !== (values.key === undefined)) {
    throw new UsageError("--cert and --key go together (a PEM certificate and its private key)", "relay");
  }
  const certificate = values.cert && values.key ? await loadCertificateFiles(values.cert, values.key) : undefined;
  const opsText = values["internal-listen"] ?? process.env.MOQ_INTERNAL_LISTEN;
  const ops = opsText ? parseBind(opsText, "--internal-listen") : undefined;
  const server = authServerFrom(values["auth-url"] ?? process.env.MOQ_AUTH_URL, values, ops !== undefined);
  let key: AuthKey | undefined;
  if (values["auth-key"]) {
    try {
      key = await loadAuthKey(values["auth-key"]);
    } catch (err) {
      throw new CliError(err instanceof Error ? err.message : String(err));
    }
  }
  // moq-relay 0.17's patterns (`anon/**`), beside our older --public PREFIX.
  const publicPrefixes = values.public ?? [];
  const publicBoth = publicPatterns(values["auth-public"], "--auth-public");
  const publicPublish = publicPatterns(values["auth-public-publish"], "--auth-public-publish");
  const publicSubscribe = publicPatterns(values["auth-public-subscribe"], "--auth-public-subscribe");
  const open = publicPrefixes.length + publicBoth.length + publicPublish.length + publicSubscribe.length === 0;
  if (!server && !key && open && !isLoopback(bind.host)) {
    out.warn(
      `relay on ${bind.host} is open to anyone who can reach it: add --auth-key FILE and/or --auth-public PATTERN`,
    );
  }

  const local = values.demo ? new LocalPublisher() : undefined;
  const admit = (request: SessionRequest): GrantInput | Error | Promise<GrantInput | Error> => {
    // The demo's own session is ours to admit, whoever decides for everyone else.
    const own = local?.admit(request.url, ["demo/**"]);
    if (own) return own;
    if (server) return server(request);
    return authorize(request.url, { key, publicPrefixes, publicPatterns: publicBoth, publicPublish, publicSubscribe });
  };

  // --protocol narrows what the relay accepts (to test a client against one version); "auto"
  // accepts every version a session speaks, and the 01/02 SETUP exchange.
  const accepted = common.protocol === "auto" ? {} : protocolOffer(common.protocol);
  const relay = await Relay.start({
    host: bind.host,
    port: bind.port,
    ...accepted,
    certificate: certificate ? { certPem: certificate.certPem, keyPem: certificate.keyPem } : undefined,
    authorize: admit,
    node: values.node ?? "",
    onLog: (entry: RelayLogEntry) =>
      out.record(
        { event: "log", ...entry },
        `${new Date(entry.at).toISOString()} ${entry.level.padEnd(5)} ${formatLogEntry(entry)}`,
      ),
  });

  let demo: ReturnType<typeof startDemo> | undefined;
  let opsServer: Awaited<ReturnType<typeof startOpsServer>> | undefined;
  try {
    // Bound before "ready", so a supervisor that waits for it never sees the relay fail after.
    if (ops) {
      opsServer = await startOpsServer(relay, ops.host, ops.port).catch((err: NodeJS.ErrnoException) => {
        if (err.code === "EADDRINUSE")
          throw new CliError(`--internal-listen: port ${ops.port} on ${ops.host} is in use`);
        if (err.code === "EADDRNOTAVAIL")
          throw new CliError(`--internal-listen: ${ops.host} is not an address of this machine`);
        throw err;
      });
      out.record(
        { event: "ops", url: opsServer.url },
        `operator endpoints on ${opsServer.url}: /health, /metrics, /sessions, /sessions/revalidate`,
      );
      if (!isLoopback(ops.host))
        out.warn(
          `--internal-listen on ${ops.host}: its endpoints are unauthenticated; keep them on loopback or a private network`,
        );
    }
    out.record(
      { event: "ready", urls: relay.urls, fingerprint: relay.fingerprint, port: relay.port },
      [
        `moqscope relay ready on port ${relay.port}`,
        ...relay.urls.map((u) => `  ${u}`),
        `  certificate sha256 ${relay.fingerprint}`,
      ].join("\n"),
    );
    if (local) {
      await local.start(relay.port);
      demo = startDemo(local.mux);
      out.record({ event: "demo", broadcasts: demo.broadcasts }, `demo broadcasts: ${demo.broadcasts.join(", ")}`);
      out.note(`try: moqscope inspect http://127.0.0.1:${relay.port}/`);
    }
    await untilAborted(new Promise<never>(() => {}), ctx.signal);
  } finally {
    await opsServer?.close();
    demo?.stop();
    local?.close();
    const stats = relay.stats();
    await relay.close();
    out.record(
      { event: "summary", ...stats },
      `relay stopped (${stats.sessions} sessions, ${stats.broadcasts} broadcasts open at the end)`,
    );
  }
  return 0;
};

/**
 * The auth server's decider for --auth-url (or MOQ_AUTH_URL), checked now. As in moq-relay it is
 * the only decider: public patterns and a key file belong to the server (`moq auth serve`).
 */
function authServerFrom(
  url: string | undefined,
  values: {
    node?: string;
    "auth-key"?: string;
    public?: string[];
    "auth-public"?: string[];
    "auth-public-publish"?: string[];
    "auth-public-subscribe"?: string[];
  },
  listsSessions: boolean,
): Authorize | undefined {
  if (url === undefined || url === "") {
    if (values.node !== undefined && !listsSessions)
      throw new UsageError(
        "--node names this relay to an auth server and in the session list: add --auth-url or --internal-listen",
        "relay",
      );
    return undefined;
  }
  const given: [string, unknown][] = [
    ["--auth-public", values["auth-public"]],
    ["--auth-public-publish", values["auth-public-publish"]],
    ["--auth-public-subscribe", values["auth-public-subscribe"]],
    ["--public", values.public],
    ["--auth-key", values["auth-key"]],
  ];
  const others = given.filter(([, v]) => v !== undefined);
  if (others.length > 0)
    throw new UsageError(
      `--auth-url cannot be combined with ${others.map(([flag]) => flag).join(", ")}: the auth server decides every ` +
        "session (give it the public patterns and keys, e.g. moq auth serve --public-…, --key)",
      "relay",
    );
  try {
    return authServer(url, { node: values.node ?? "" });
  } catch (err) {
    if (err instanceof AuthUrlError) throw new UsageError(`--auth-url: ${err.message}`, "relay");
    throw err;
  }
}
