// The operator's session filter (moq-relay's `GET /sessions?…`): fields, their parsing, and what
// matches. Credentials are never fields.

import { describe, expect, it } from "vitest";
import type { SessionFields } from "../../../main/moq/relay/auth-url-request.ts";
import { matchesFilter, parseSessionFilter } from "../../../main/moq/relay/session-filter.ts";

const session: SessionFields = {
  id: "0123456789abcdef0123456789abcdef",
  node: "edge-1",
  transport: "websocket",
  remote: "192.168.1.20:50000",
  local: "127.0.0.1:4443",
  server_name: "relay.example",
  alpn: "moq-lite-06",
  path: "/room/1",
  query: "jwt=secret",
};
const matches = (query: string, fields: SessionFields = session) => matchesFilter(parseSessionFilter(query), fields);

describe("the session filter", () => {
  it("selects every session when empty, and by each field given", () => {
    expect(matches("")).toBe(true);
    expect(matches("node=edge-1&transport=websocket&alpn=moq-lite-06")).toBe(true);
    expect(matches("node=edge-2")).toBe(false);
    expect(matches(`id=${session.id}`)).toBe(true);
    expect(matches("server_name=relay.example&local=127.0.0.1:4443")).toBe(true);
    expect(matches("local=127.0.0.1:4444")).toBe(false);
    // An address matches however it is written.
    expect(matches("local=[0:0::1]:4443", { ...session, local: "[::1]:4443" })).toBe(true);
    expect(matches("transport=quic")).toBe(false);
  });

  it("matches the path as a pattern against the dialed path", () => {
    expect(matches("path=room/**")).toBe(true);
    expect(matches("path=room/*")).toBe(true);
    expect(matches("path=room")).toBe(false);
    expect(matches("path=other/**")).toBe(false);
  });

  it("matches the remote by IP or CIDR, port dropped, IPv4-mapped IPv6 folded", () => {
    expect(matches("remote=192.168.1.20")).toBe(true);
    expect(matches("remote=192.168.0.0/16")).toBe(true);
    expect(matches("remote=10.0.0.0/8")).toBe(false);
    expect(matches("remote=::ffff:192.168.1.0/120")).toBe(true);
    expect(matches("remote=::1", { ...session, remote: "[::1]:5000" })).toBe(true);
    expect(matches("remote=::ffff:192.168.1.20", { ...session, remote: "[::ffff:192.168.1.20]:5000" })).toBe(true);
    expect(matches("remote=127.0.0.1", { ...session, remote: undefined })).toBe(false);
  });

  it("refuses unknown fields (credentials among them) and values that do not parse, naming them", () => {
    expect(() => parseSessionFilter("query=jwt")).toThrow("unknown filter field: query");
    expect(() => parseSessionFilter("token=x")).toThrow("unknown filter field: token");
    expect(() => parseSessionFilter("colour=red")).toThrow("unknown filter field: colour");
    expect(() => parseSessionFilter("transport=carrier-pigeon")).toThrow("invalid transport");
    expect(() => parseSessionFilter("remote=10.0.0.0/33")).toThrow("invalid remote CIDR");
    expect(() => parseSessionFilter("remote=::ffff:10.0.0.0/64")).toThrow("invalid remote CIDR");
    expect(() => parseSessionFilter("remote=nonsense")).toThrow("invalid remote address");
    expect(() => parseSessionFilter("path=a/**/b/**")).toThrow("invalid path");
    expect(() => parseSessionFilter("role=king")).toThrow("invalid role");
    expect(() => parseSessionFilter("local=somewhere")).toThrow("invalid local");
    expect(() => parseSessionFilter("local=999.999.999.999:4443")).toThrow("invalid local");
    expect(() => parseSessionFilter("local=127.0.0.1:99999")).toThrow("invalid local");
    expect(() => parseSessionFilter("remote=10.0.0.0/8/junk")).toThrow("invalid remote CIDR");
    expect(() => parseSessionFilter("remote=fe80::1%eth0")).toThrow("invalid remote address");
  });

  it("never matches on a role or a client certificate, which this relay does not know", () => {
    expect(matches("role=publisher")).toBe(false);
    expect(matches("tls.fingerprint=ab")).toBe(false);
  });
});
