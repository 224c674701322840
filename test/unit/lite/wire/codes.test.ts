import { describe, expect, it } from "vitest";
import { ErrorCode, StreamCode } from "../../../../main/moq/errors.ts";
import {
  SessionCode,
  localSessionCode,
  localStreamCode,
  wireSessionCode,
  wireStreamCode,
} from "../../../../main/moq/lite/wire/codes.ts";

describe("codes on the wire (05+ registry)", () => {
  it("leaves 01–04 alone", () => {
    for (const code of Object.values(ErrorCode)) {
      expect(wireStreamCode(code, "moq-lite-04")).toBe(code);
      expect(localStreamCode(code, "moq-lite-04")).toBe(code);
      expect(wireSessionCode(code, "moq-lite-03")).toBe(code);
    }
  });

  it("sends the registry's numbers on 05 and 06, and reads them back as ours", () => {
    const pairs: [number, number][] = [
      [ErrorCode.Cancelled, StreamCode.Cancel],
      [ErrorCode.NotFound, StreamCode.NotFound],
      [ErrorCode.Unroutable, StreamCode.Unroutable],
      [ErrorCode.Old, StreamCode.Old],
      [ErrorCode.Evicted, StreamCode.Evicted],
      [ErrorCode.WrongSize, StreamCode.WrongSize],
      [ErrorCode.FrameTooLarge, StreamCode.FrameTooLarge],
      [ErrorCode.Lagged, StreamCode.TooFarBehind],
      [ErrorCode.Closed, StreamCode.SessionClosed],
    ];
    for (const v of ["moq-lite-05", "moq-lite-06"] as const) {
      for (const [ours, wire] of pairs) {
        expect(wireStreamCode(ours, v)).toBe(wire);
        expect(localStreamCode(wire, v)).toBe(ours);
      }
      // Ours without a registry twin go out as Internal; application codes pass through.
      expect(wireStreamCode(ErrorCode.Duplicate, v)).toBe(StreamCode.Internal);
      expect(wireStreamCode(70, v)).toBe(70);
      expect(localStreamCode(70, v)).toBe(70);
      // A 05 peer still on the older table (13 for not found) is understood.
      expect(localStreamCode(13, v)).toBe(ErrorCode.NotFound);
    }
  });

  it("closes sessions with the registry's codes: protocol violation is 0x3", () => {
    const v = "moq-lite-06";
    expect(wireSessionCode(ErrorCode.ProtocolViolation, v)).toBe(SessionCode.ProtocolViolation);
    expect(wireSessionCode(ErrorCode.Decode, v)).toBe(SessionCode.ProtocolViolation);
    expect(wireSessionCode(ErrorCode.Unauthorized, v)).toBe(SessionCode.Unauthorized);
    expect(wireSessionCode(0, v)).toBe(SessionCode.None);
    expect(wireSessionCode(ErrorCode.Lagged, v)).toBe(SessionCode.Internal);
    expect(localSessionCode(SessionCode.ProtocolViolation, v)).toBe(ErrorCode.ProtocolViolation);
    expect(localSessionCode(SessionCode.Unauthorized, v)).toBe(ErrorCode.Unauthorized);
    expect(localSessionCode(SessionCode.Version, v)).toBe(ErrorCode.UnsupportedVersion);
  });
});
