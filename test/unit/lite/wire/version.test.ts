import { describe, expect, it } from "vitest";
import {
  ALPN_VERSIONS,
  BidiStreamType,
  bidiStreamTypeAllowed,
  DEFAULT_OFFER,
  bidiStreamTypeName,
  isAlpnVersion,
  isLegacyVersion,
  LEGACY_VERSIONS,
  parseVersion,
  SERVER_SETUP_TYPE,
  UniStreamType,
  VERSION_CODES,
  versionAtLeast,
  versionFromCode,
  type Version,
} from "../../../../main/moq/lite/wire/index.ts";
import { ALL_VERSIONS } from "./helpers.ts";

describe("versions (§4.1)", () => {
  it("codes are 0xff0dad01..06 and map back", () => {
    expect(VERSION_CODES).toEqual({
      "moq-lite-01": 0xff0dad01,
      "moq-lite-02": 0xff0dad02,
      "moq-lite-03": 0xff0dad03,
      "moq-lite-04": 0xff0dad04,
      "moq-lite-05": 0xff0dad05,
      "moq-lite-06": 0xff0dad06,
    });
    for (const v of ALL_VERSIONS) expect(versionFromCode(VERSION_CODES[v])).toBe(v);
    expect(versionFromCode(0xff00000e)).toBeUndefined();
    expect(versionFromCode(0xff0dad07)).toBeUndefined();
  });

  it("03–06 are ALPN-negotiated (06 preferred and offered first by default), 01/02 go through SETUP", () => {
    expect(ALPN_VERSIONS).toEqual(["moq-lite-06", "moq-lite-05", "moq-lite-04", "moq-lite-03"]);
    expect(DEFAULT_OFFER).toEqual(["moq-lite-06", "moq-lite-05", "moq-lite-04", "moq-lite-03"]);
    expect(isAlpnVersion("moq-lite-06")).toBe(true);
    // @moq/net's unfinished 06 is another wire format, under its own ALPN.
    expect(isAlpnVersion("moq-lite-06-wip")).toBe(false);
    expect(isAlpnVersion("moq-lite-05")).toBe(true);
    expect([...LEGACY_VERSIONS].sort()).toEqual(["moq-lite-01", "moq-lite-02"]);
    expect(isAlpnVersion("moq-lite-04")).toBe(true);
    expect(isAlpnVersion("moq-lite-03")).toBe(true);
    expect(isAlpnVersion("moq-lite-02")).toBe(false);
    expect(isAlpnVersion("moql")).toBe(false);
    expect(isAlpnVersion("qmux-01.moq-lite-04")).toBe(false);
    expect(isLegacyVersion("moq-lite-01")).toBe(true);
    expect(isLegacyVersion("moq-lite-03")).toBe(false);
  });

  it("parseVersion accepts identifiers and draft numbers, and lists valid values otherwise", () => {
    expect(parseVersion("moq-lite-03")).toBe("moq-lite-03");
    expect(parseVersion("04")).toBe("moq-lite-04");
    expect(parseVersion("1")).toBe("moq-lite-01");
    expect(parseVersion("5")).toBe("moq-lite-05");
    expect(parseVersion("06")).toBe("moq-lite-06");
    for (const bad of ["", "moq-lite-07", "7", "moql", "moq-lite-4", "9", "moq-lite-06-wip"]) {
      expect(() => parseVersion(bad)).toThrow(
        /valid values: moq-lite-01, moq-lite-02, moq-lite-03, moq-lite-04, moq-lite-05, moq-lite-06$/,
      );
    }
  });

  it("versionAtLeast orders the drafts", () => {
    expect(versionAtLeast("moq-lite-04", "moq-lite-03")).toBe(true);
    expect(versionAtLeast("moq-lite-03", "moq-lite-03")).toBe(true);
    expect(versionAtLeast("moq-lite-02", "moq-lite-03")).toBe(false);
  });
});

describe("stream types (§5.1)", () => {
  it("has the spec's values", () => {
    expect(BidiStreamType).toEqual({
      Session: 0,
      Announce: 1,
      Subscribe: 2,
      Fetch: 3,
      Probe: 4,
      Goaway: 5,
      Track: 6,
      SetupCompat: 0x20,
    });
    expect(UniStreamType).toEqual({ Group: 0, Setup: 1 });
    expect(SERVER_SETUP_TYPE).toBe(0x21);
  });

  it("gates types by version", () => {
    const allowed = (v: Version) =>
      Object.entries(BidiStreamType)
        .filter(([, t]) => bidiStreamTypeAllowed(t, v))
        .map(([n]) => n);
    // Session/SetupCompat belong to the handshake, never to an established session.
    expect(allowed("moq-lite-01")).toEqual(["Announce", "Subscribe"]);
    expect(allowed("moq-lite-02")).toEqual(["Announce", "Subscribe"]);
    expect(allowed("moq-lite-03")).toEqual(["Announce", "Subscribe", "Fetch", "Probe"]);
    expect(allowed("moq-lite-04")).toEqual(["Announce", "Subscribe", "Fetch", "Probe", "Goaway"]);
    expect(allowed("moq-lite-05")).toEqual(["Announce", "Subscribe", "Fetch", "Probe", "Goaway", "Track"]);
    for (const v of ALL_VERSIONS) {
      expect(bidiStreamTypeAllowed(7, v)).toBe(false);
      expect(bidiStreamTypeAllowed(0x21, v)).toBe(false);
    }
  });

  it("names types for traces", () => {
    expect(bidiStreamTypeName(2)).toBe("subscribe");
    expect(bidiStreamTypeName(0x20)).toBe("setup-compat");
    expect(bidiStreamTypeName(0x40)).toBe("unknown(0x40)");
  });
});
