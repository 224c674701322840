// moqscope relay: the embedded moq-lite relay, headless. Serves WebSocket/QMux and WebTransport
// over HTTP/2 on one port (HTTP/3 where its native part is installed), logs sessions,
// announcements and subscriptions, and with --demo publishes live demo broadcasts.

import { Relay, authorize, formatLogEntry, loadAuthKey, loadCertificateFiles } from "../../moq/node.ts";
import type { AuthKey, GrantInput, RelayLogEntry } from "../../moq/node.ts";
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
  if (!key && open && !isLoopback(bind.host)) {
    out.warn(
      `relay on ${bind.host} is open to anyone who can reach it: add --auth-key FILE and/or --auth-public PATTERN`,
    );
  }

  const local = values.demo ? new LocalPublisher() : undefined;
  const admit = (url: URL): GrantInput | Error | Promise<GrantInput | Error> => {
    const own = local?.admit(url, ["demo/**"]);
    if (own) return own;
    return authorize(url, { key, publicPrefixes, publicPatterns: publicBoth, publicPublish, publicSubscribe });
  };

  // --protocol narrows what the relay accepts (to test a client against one version); "auto"
  // accepts every version a session speaks, and the 01/02 SETUP exchange.
  const accepted = common.protocol === "auto" ? {} : protocolOffer(common.protocol);
  const relay = await Relay.start({
    host: bind.host,
    port: bind.port,
    ...accepted,
    certificate: certificate ? { certPem: certificate.certPem, keyPem: certificate.keyPem } : undefined,
    authorize: (request) => admit(request.url),
    onLog: (entry: RelayLogEntry) =>
      out.record(
        { event: "log", ...entry },
        `${new Date(entry.at).toISOString()} ${entry.level.padEnd(5)} ${formatLogEntry(entry)}`,
      ),
  });

  let demo: ReturnType<typeof startDemo> | undefined;
  try {
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
