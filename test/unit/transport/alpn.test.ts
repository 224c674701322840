import { describe, expect, it } from "vitest";
import {
  appProtocolOf,
  clientSubprotocols,
  describeVersions,
  normalizeAppProtocol,
  selectSubprotocol,
  selectWebTransportProtocol,
  webTransportProtocols,
} from "../../../main/moq/transport/alpn.ts";

const both = { versions: ["moq-lite-04", "moq-lite-03"] };

describe("WebSocket subprotocols", () => {
  it("offers every QMux wire version per moq version, then bare tokens when legacy", () => {
    expect(clientSubprotocols(both)).toEqual([
      "qmux-02.moq-lite-04",
      "qmux-01.moq-lite-04",
      "qmux-00.moq-lite-04",
      "qmux-02.moq-lite-03",
      "qmux-01.moq-lite-03",
      "qmux-00.moq-lite-03",
    ]);
    expect(clientSubprotocols({ versions: ["moq-lite-03"], legacy: true }).slice(-3)).toEqual([
      "qmux-01",
      "qmux-00",
      "webtransport",
    ]);
  });

  it("lets the server's preference win", () => {
    expect(selectSubprotocol("qmux-01.moq-lite-03, qmux-02.moq-lite-04", both)).toBe("qmux-02.moq-lite-04");
    expect(selectSubprotocol(["qmux-00.moq-lite-04", "qmux-01.moq-lite-04"], both)).toBe("qmux-01.moq-lite-04");
    expect(selectSubprotocol(["qmux-02.moq-lite-03"], both)).toBe("qmux-02.moq-lite-03");
    expect(selectSubprotocol(["qmux-02.moq-lite-04"], { versions: ["moq-lite-03"] })).toBeUndefined();
  });

  it("accepts bare tokens only when legacy", () => {
    expect(selectSubprotocol("qmux-00, webtransport", both)).toBeUndefined();
    expect(selectSubprotocol("qmux-00, webtransport", { ...both, legacy: true })).toBe("qmux-00");
    expect(selectSubprotocol("qmux-02.moq-lite-04, qmux-01", { ...both, legacy: true })).toBe("qmux-02.moq-lite-04");
    expect(selectSubprotocol(undefined, { ...both, legacy: true })).toBeUndefined();
  });

  it("extracts the application protocol", () => {
    expect(appProtocolOf("qmux-02.moq-lite-04")).toBe("moq-lite-04");
    expect(appProtocolOf("qmux-00.moq-lite-03")).toBe("moq-lite-03");
    expect(appProtocolOf("qmux-01")).toBe("");
    expect(appProtocolOf("webtransport")).toBe("");
    expect(appProtocolOf("")).toBe("");
  });
});

describe("WebTransport protocols", () => {
  it("offers the versions, plus moql when legacy", () => {
    expect(webTransportProtocols(both)).toEqual(["moq-lite-04", "moq-lite-03"]);
    expect(webTransportProtocols({ ...both, legacy: true })).toEqual(["moq-lite-04", "moq-lite-03", "moql"]);
  });

  it("selects by server preference, '' for legacy, undefined to refuse", () => {
    expect(selectWebTransportProtocol(["moq-lite-03", "moq-lite-04"], both)).toBe("moq-lite-04");
    expect(selectWebTransportProtocol(["moq-lite-03"], both)).toBe("moq-lite-03");
    expect(selectWebTransportProtocol(["moq-lite-05"], both)).toBeUndefined();
    expect(selectWebTransportProtocol(undefined, both)).toBeUndefined();
    expect(selectWebTransportProtocol(undefined, { ...both, legacy: true })).toBe("");
    expect(selectWebTransportProtocol(["moql"], { ...both, legacy: true })).toBe("");
  });

  it("normalizes what the session reports", () => {
    expect(normalizeAppProtocol('"moq-lite-04"')).toBe("moq-lite-04");
    expect(normalizeAppProtocol("moql")).toBe("");
    expect(normalizeAppProtocol(undefined)).toBe("");
  });
});

it("describes version lists compactly", () => {
  expect(describeVersions(["moq-lite-04", "moq-lite-03"])).toBe("moq-lite-04/03");
  expect(describeVersions(["moq-lite-05"])).toBe("moq-lite-05");
});
