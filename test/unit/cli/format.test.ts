import { describe, expect, it } from "vitest";
import {
  formatBitrate,
  formatBytes,
  formatDuration,
  formatRtt,
  previewPayload,
  printableText,
} from "../../../main/cli/format.ts";
import { explainClose, explainCode } from "../../../main/cli/errors.ts";
import { isNotFoundCode } from "../../../main/moq/errors.ts";
import { describeEvent } from "../../../main/cli/trace.ts";

describe("format", () => {
  it("bitrates in decimal units", () => {
    expect(formatBitrate(0)).toBe("0 bit/s");
    expect(formatBitrate(999)).toBe("999 bit/s");
    expect(formatBitrate(2_500_000)).toBe("2.5 Mbit/s");
    expect(formatBitrate(12_345_678)).toBe("12.3 Mbit/s");
    expect(formatBitrate(undefined)).toBe("?");
  });

  it("bytes in binary units", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(100 * 1024)).toBe("100 KiB");
    expect(formatBytes(3 * 1024 ** 3)).toBe("3 GiB");
  });

  it("durations and RTTs", () => {
    expect(formatDuration(850)).toBe("850 ms");
    expect(formatDuration(4200)).toBe("4.2 s");
    expect(formatDuration(185_000)).toBe("3 min 05 s");
    expect(formatDuration(7_260_000)).toBe("2 h 01 min");
    expect(formatRtt(undefined)).toBe("?");
    expect(formatRtt(5.27)).toBe("5.3 ms");
    expect(formatRtt(0.42)).toBe("0.42 ms");
  });

  it("previews printable UTF-8 as quoted text and anything else as hex", () => {
    const text = new TextEncoder();
    expect(previewPayload(text.encode("2026-11-21T06:33:18.663Z"))).toBe('"2026-11-21T06:33:18.663Z"');
    expect(previewPayload(text.encode("a\nb"))).toBe('"a\\nb"');
    expect(previewPayload(text.encode("x".repeat(100)), 10)).toBe(`"${"x".repeat(10)}…"`);
    expect(previewPayload(Uint8Array.of(0, 1, 2, 255))).toBe("00 01 02 ff");
    expect(previewPayload(new Uint8Array(100), 12)).toBe("00 00 00 00 …");
    expect(printableText(Uint8Array.of(0xc3, 0x28))).toBeUndefined(); // invalid UTF-8
    expect(printableText(text.encode("grüße ✓"))).toBe("grüße ✓");
    expect(printableText(text.encode("bell\u0007"))).toBeUndefined();
  });
});

describe("explanations", () => {
  it("names codes and what they mean", () => {
    expect(explainCode(13)).toBe("13 NotFound: the publisher has no such track/broadcast");
    expect(explainCode(6)).toContain("check the ?jwt= token");
    expect(explainCode(70)).toBe("code 70 app(6)");
    // moq-relay 0.17 resets with the moq-lite-05+ registry on every version.
    expect(explainCode(54)).toBe("54 Unroutable: the relay has no route to this broadcast: nobody announces it there");
    expect(explainCode(51)).toBe("51 NotFound: the publisher has no such track/broadcast");
    // Where the two tables disagree, both names show.
    expect(explainCode(18)).toMatch(/^18 Encode\/MalformedTrack: /);
    expect(explainCode(3)).toMatch(/^3 Timeout\/SessionClosed: /);
    for (const code of [13, 30, 51, 54]) expect(isNotFoundCode(code)).toBe(true);
    expect(isNotFoundCode(0)).toBe(false);
    expect(explainClose({ code: 0, reason: "", by: "remote" })).toBe("the server closed the session");
    expect(explainClose({ code: 15, reason: "bad", by: "remote" })).toContain("15 ProtocolViolation");
    expect(explainClose({ code: 0, reason: "Connection closed: 1006", by: "remote", dropped: true })).toMatch(
      /^lost the connection to the server/,
    );
  });

  it("writes trace events as one compact line", () => {
    const at = 0;
    expect(
      describeEvent({
        type: "stream-opened",
        stream: 3,
        dir: "bidi",
        initiator: "local",
        kind: "subscribe",
        bytes: 1,
        at,
      }),
    ).toBe("#3 opened bidi subscribe (by us)");
    expect(describeEvent({ type: "stream-ended", stream: 3, half: "recv", how: "reset", code: 13, bytes: 0, at })).toBe(
      "#3 peer half reset 13 NotFound",
    );
    expect(
      describeEvent({
        type: "message",
        stream: 2,
        direction: "sent",
        name: "SUBSCRIBE",
        fields: { id: 0, broadcast: "demo", startGroup: undefined },
        bytes: 12,
        at,
      }),
    ).toBe('#2 → SUBSCRIBE id=0 broadcast="demo"  (12 B)');
    expect(
      describeEvent({
        type: "frame",
        stream: 7,
        direction: "received",
        subscribeId: 0,
        sequence: 5,
        index: 2,
        size: 120,
        bytes: 122,
        at,
      }),
    ).toBe("#7 ← frame 5.2  120 B");
  });
});
