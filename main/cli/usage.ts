// Help texts for `moqscope --help` and `moqscope COMMAND --help`, kept apart from the code so they
// read as documentation (the README's CLI section is made from them).

export const COMMON_HELP = `Common options:
  --protocol P        moq-lite version: auto (default: offer 06, 05, 04 and 03, and 01/02
                      through SETUP), moq-lite-06, moq-lite-05, moq-lite-04, moq-lite-03, or
                      legacy (01/02 through SETUP only);
                      "--version P" after a command still works but is deprecated
  --transport T       auto (default: WebTransport over HTTP/3, then HTTP/2, then WebSocket),
                      webtransport (HTTP/3, then HTTP/2), webtransport-h3, webtransport-h2,
                      or websocket
  --fingerprint HEX   pin the server certificate by its SHA-256 (for self-signed servers)
  --insecure          accept any server certificate
  --json              print one JSON object per line instead of text for people
  -q, --quiet         no notes and no status line, only results and errors
  -h, --help          show this help

URLs: http://host:port/path is a development server that publishes its certificate
fingerprint (moq-relay's convention: WebTransport, falling back to WebSocket);
https:// is WebTransport (falling back to WebSocket over TLS); ws:// and wss:// are
WebSocket. The path is the session root; a token rides in ?jwt=...`;

export interface CommandHelp {
  /** One line: the command and its arguments. */
  synopsis: string;
  /** What it does, one sentence, for the command list. */
  summary: string;
  /** Options and behaviour. */
  details: string;
  /** Whether the connection options above apply (default true). */
  commonOptions?: boolean;
}

export const COMMAND_HELP = {
  sub: {
    synopsis: "moqscope sub URL BROADCAST TRACK [--count N] [--trace] [options]",
    summary: "subscribe to a track and print each frame as it arrives",
    details: `Options:
  --count N           exit after N frames
  --priority N        subscription priority, 0-255 (default 128)
  --trace             also print every session event (streams, messages, groups, frames)

Each frame prints as "group G frame I  N bytes  PREVIEW" (text when the payload is
printable UTF-8, else hex); with --json as
  {"event":"frame","broadcast":B,"track":T,"group":G,"frame":I,"size":N,"data":BASE64}.
Exits 0 after --count frames, when the publisher ends the track, or on Ctrl-C (with a
summary); exits 1 when the subscription is refused or reset, naming the reason.`,
  },
  pub: {
    synopsis: "moqscope pub URL BROADCAST [--track NAME] (--clock | --file PATH | --stdin) [options]",
    summary: "publish a clock, a file or standard input as a track",
    details: `Sources (exactly one):
  --clock             the current UTC time as ISO-8601 text, one frame per tick, until
                      interrupted (track "clock" unless --track is given)
  --file PATH         the whole file from the start to each subscriber; exits once one
                      subscriber received all of it and no other transfer is in progress
  --stdin             standard input into one shared track, read once the first subscriber
                      arrives (late subscribers join at the latest group); exits after end
                      of input once open subscriptions finished sending

Options:
  --track NAME        track name (default "clock" with --clock, else "data")
  --frame-bytes N     frame size for --file and --stdin (default 16384)
  --group-frames N    frames per group (default 60 with --clock, else 30)
  --fps N             frames per second (default 1 with --clock; --file and --stdin send
                      as fast as the connection takes them unless given)
  --datagrams         every frame a group of its own, sent in a QUIC datagram to
                      subscribers on WebTransport over HTTP/3 (moq-lite-05+) and on a stream
                      to the others; --frame-bytes defaults to 1024 (a datagram holds 1200)
  --max-age MS        the track's retention window in TRACK_INFO (moq-lite-05+; default
                      5000): how far behind the newest group a subscriber may still get a
                      group; relays and subscribers reaching back are clamped to it
  --publisher-priority N
                      the track's priority in TRACK_INFO, 0-255 (default 0)

With --stdin a shorter frame is sent whenever the input pauses, so live pipes are not held
back until a frame fills up.`,
  },
  inspect: {
    synopsis: "moqscope inspect URL [--prefix P] [--duration S] [--trace] [options]",
    summary: "watch announcements, session statistics and probe results",
    details: `Options:
  --prefix P          only broadcasts under this path prefix (default: everything)
  --duration S        stop after S seconds (default: until Ctrl-C)
  --trace             print every session event, one line each

Prints "+ path" when a broadcast is announced and "- path" when it ends, statistics
(RTT, bytes, send and receive bitrate) every second, and the peer's probe reports.
With --json: {"event":"announce",...}, {"event":"stats",...}, {"event":"probe",...}.`,
  },
  probe: {
    synopsis: "moqscope probe URL [--bitrate TARGET] [--duration S] [options]",
    summary: "measure the bitrate and RTT the server reports towards us",
    details: `Options:
  --bitrate TARGET    ask the server to reach this bitrate in bits/s (suffixes k, M, G:
                      "10M"); by default only measure
  --duration S        stop after S seconds (default: until Ctrl-C)

Each report prints the server's estimate of its send rate towards us (in Mbit/s and in
bits/s) and its RTT (moq-lite-04 and later). With --json: {"event":"probe","bitrate":...,"rttMs":...}.`,
  },
  relay: {
    synopsis:
      "moqscope relay [--bind HOST:PORT] [--auth-url URL | --auth-public PATTERN --auth-key FILE] [--cert F --key F] [--demo] [options]",
    summary: "run a moq-lite relay on this machine (and demo broadcasts with --demo)",
    details: `Options:
  --bind HOST:PORT    address to listen on (default 127.0.0.1:4443; port 0 picks a free one).
                      One TCP port serves WebSocket/QMux, WebTransport over HTTP/2 and
                      GET /certificate.sha256 (WebTransport over HTTP/3 too where installed)
  --auth-public PAT   let anonymous sessions publish and subscribe what a path pattern
                      matches, as moq-relay 0.17 does ("anon/**", "*/chat", "**";
                      repeatable, or comma-separated)
  --auth-public-publish PAT, --auth-public-subscribe PAT
                      the same for one direction only
  --public PREFIX     the older form: the same as --auth-public PREFIX/**
  --auth-key FILE     a JWK key: a JWT in ?jwt= grants root and what it may publish and
                      subscribe (moq-auth's publish/subscribe patterns, or put/get prefixes)
                      until exp
  --auth-url URL      ask this auth server about every session instead, as moq-relay 0.17
                      does (a JSON POST on connect, revalidate and end; https://,
                      unix:///path.sock, or http:// to a loopback host; also MOQ_AUTH_URL).
                      Not combinable with --auth-public*, --public or --auth-key
  --node NAME         this relay's name in the auth server's requests and the session list
                      (default "")
  --internal-listen HOST:PORT
                      also serve operator endpoints there, as moq-relay does (plain HTTP,
                      unauthenticated: keep it on loopback; also MOQ_INTERNAL_LISTEN):
                      GET /health, GET /metrics (Prometheus), GET /sessions?FILTER (the
                      live sessions), and
                      POST /sessions/revalidate?FILTER (ask the auth server again now).
                      FILTER: id, node, transport, remote (IP or CIDR), local, server_name,
                      alpn, path (a pattern); none selects every session
  --cert F --key F    PEM certificate and key (default: a fresh self-signed P-256
                      certificate valid for 14 days, pinned by clients via its fingerprint)
  --demo              also publish demo/clock and demo/video.hang (30 fps synthetic video)
  --protocol P        accept only this version (moq-lite-06, -05, -04, -03, or legacy for
                      01/02 through SETUP); default auto: every version, 06 first

The URL path is a session's root: a client at http://host:port/anon sees and publishes only
under anon/. In a pattern "*" is one segment, "pre*suf" one segment with that start and end,
"**" any depth; one without a wildcard names a single broadcast. With no --auth-url, --auth-key
or public patterns the relay is open to anonymous sessions; binding an address other than
loopback that way prints a warning. Runs until Ctrl-C; logs sessions, announcements and
subscriptions (one JSON object per line with --json).`,
  },
  bench: {
    synopsis:
      "moqscope bench URL [--connections A] [--broadcasts B] [--subscribe C] [--fps D] [--frame-bytes E] [--group-frames F] [--duration S] [--report S] [options]",
    summary: "generate load through a relay and report throughput, loss and latency",
    details: `Each knob is a number or a range MIN:MAX, drawn uniformly (counts per connection or
broadcast, frame sizes per frame):
  --connections A     sessions to open (default 1)
  --broadcasts B      broadcasts each connection publishes, as bench/RUN/CONN-N with one
                      track "data" (default 1)
  --subscribe C       broadcasts of other connections each one subscribes to, found through
                      announcements (default 1)
  --fps D             frames per second of each broadcast (default 30)
  --frame-bytes E     frame size in bytes (default 1000)
  --group-frames F    frames per group (default 30)
  --duration S        stop after S seconds (default: until Ctrl-C)
  --report S          seconds between reports (default 1)
  --prefix P          subscribe to broadcasts under P (e.g. "bench" for every run) instead
                      of only this run's

The first frame of each group starts with its send time (ms since the epoch, float64
big-endian) for the latency. Each report prints sent and received Mbit/s and frames/s,
groups received and lost (a gap is lost once a later group arrived in full), latency
p50/p90/p99 over the interval, and connections up; a summary covers the whole run.
With --json: {"event":"report",...} per interval and {"event":"summary",...}.`,
  },
  ui: {
    synopsis: "moqscope ui [--port P] [--bind ADDRESS] [--url URL] [--config-dir DIR] [--no-open]",
    summary: "open the app in a browser, served from this machine",
    details: `Options:
  --port P            port to serve on (default 0: any free one)
  --bind ADDRESS      address to listen on (default 127.0.0.1; another address prints a
                      warning: whoever has the URL controls the app)
  --url URL           connect to this relay (default: start the embedded relay with the
                      demo broadcasts and connect to it, as npm start does)
  --config-dir DIR    where profiles and recordings live (default: the app's own folder,
                      e.g. ~/.config/moqscope)
  --no-open           only print the URL, do not open a browser
  --json              print one JSON object per line instead of text for people
  -q, --quiet         no notes, only the URL and errors
  -h, --help          show this help

Prints "moqscope ui: open http://127.0.0.1:PORT/?token=TOKEN" (with --json
{"event":"ready","url":...}). The token is new each run; the page and its WebSocket
need it, and requests naming another host or coming from another site are refused.
Runs until Ctrl-C.`,
    commonOptions: false,
  },
} satisfies Record<string, CommandHelp>;

export type CommandName = keyof typeof COMMAND_HELP;

/** Commands that are planned but not part of this build yet. */
export const PLANNED_COMMANDS = [] as const;

export function commandNames(): CommandName[] {
  return Object.keys(COMMAND_HELP) as CommandName[];
}

/** `moqscope --help`. */
export function globalHelp(): string {
  const width = Math.max(...commandNames().map((n) => n.length));
  const list = commandNames()
    .map((name) => `  ${name.padEnd(width)}  ${COMMAND_HELP[name].summary}`)
    .join("\n");
  return `moqscope: an oscilloscope for Media over QUIC (moq-lite)

Usage: moqscope COMMAND [arguments] [options]

Commands:
${list}

Run "moqscope COMMAND --help" for a command's options, "moqscope --version" for the
program's version.

${COMMON_HELP}

Exit status: 0 done (also after Ctrl-C), 1 runtime failure, 2 usage error.
`;
}

/** `moqscope COMMAND --help`. */
export function commandHelp(name: CommandName): string {
  const help: CommandHelp = COMMAND_HELP[name];
  const common = help.commonOptions === false ? "" : `\n${COMMON_HELP}\n`;
  return `Usage: ${help.synopsis}

${capitalize(help.summary)}.

${help.details}
${common}`;
}

/** The short form printed with a usage error. */
export function usageLine(name?: string): string {
  if (name && name in COMMAND_HELP) {
    return `usage: ${COMMAND_HELP[name as CommandName].synopsis}\n(see "moqscope ${name} --help")`;
  }
  return `usage: moqscope COMMAND [arguments] [options]\ncommands: ${commandNames().join(", ")} (see "moqscope --help")`;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
