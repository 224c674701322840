import { describe, expect, it } from "vitest";
import { UsageError } from "../../../main/cli/errors.ts";
import {
  commonOptions,
  connectOptions,
  parseBitrate,
  parseCommand,
  positiveInt,
  positiveNumber,
} from "../../../main/cli/options.ts";

describe("options", () => {
  it("turns --protocol into the versions offered", () => {
    const offer = (protocol?: string) => connectOptions(commonOptions("x", { protocol }));
    expect(offer()).toMatchObject({
      versions: ["moq-lite-06", "moq-lite-05", "moq-lite-04", "moq-lite-03"],
      legacy: true,
      transport: "auto",
    });
    expect(offer("moq-lite-03")).toMatchObject({ versions: ["moq-lite-03"], legacy: false });
    expect(offer("04")).toMatchObject({ versions: ["moq-lite-04"], legacy: false });
    expect(offer("legacy")).toMatchObject({ versions: [], legacy: true });
  });

  it("still takes --version V after a command, as the deprecated name of --protocol", () => {
    const notices: string[] = [];
    const common = commonOptions("x", { version: "moq-lite-03" }, (n) => notices.push(n));
    expect(connectOptions(common)).toMatchObject({ versions: ["moq-lite-03"], legacy: false });
    expect(notices).toEqual([
      "--version after a command is deprecated: use --protocol moq-lite-03 (moqscope --version prints the program's version)",
    ]);
    expect(() => commonOptions("x", { version: "moq-lite-03", protocol: "moq-lite-04" }, () => {})).toThrow(
      "give the protocol once, as --protocol",
    );
    expect(() => commonOptions("x", { version: "moq-lite-09" }, () => {})).toThrow(
      "--protocol must be one of auto, moq-lite-06, moq-lite-05, moq-lite-04, moq-lite-03, legacy",
    );
  });

  it("checks certificates options", () => {
    const hex = "AB:".repeat(31) + "AB";
    expect(connectOptions(commonOptions("x", { fingerprint: hex })).fingerprint).toBe("ab".repeat(32));
    expect(() => commonOptions("x", { fingerprint: "ab".repeat(32), insecure: true })).toThrow(UsageError);
  });

  it("validates numbers, naming the flag", () => {
    expect(positiveInt("x", "--count", undefined, 7)).toBe(7);
    expect(positiveInt("x", "--count", "12", 7)).toBe(12);
    expect(() => positiveInt("x", "--count", "0", 7)).toThrow('--count must be a positive integer (got "0")');
    expect(() => positiveInt("x", "--frame-bytes", "99", 7, 50)).toThrow("--frame-bytes must be at most 50");
    expect(positiveNumber("x", "--fps", "0.5")).toBe(0.5);
    expect(() => positiveNumber("x", "--fps", "1e3")).toThrow("--fps must be a positive number");
    expect(parseBitrate("x", "--bitrate", "2.5M")).toBe(2_500_000);
    expect(parseBitrate("x", "--bitrate", "800k")).toBe(800_000);
    expect(parseBitrate("x", "--bitrate", "1Gbps")).toBe(1e9);
    expect(() => parseBitrate("x", "--bitrate", "-1")).toThrow(UsageError);
  });

  it("parses the common options next to a command's own", () => {
    const { values, positionals } = parseCommand("sub", ["http://h/", "b", "--json", "-q", "--count", "3", "t"], {
      count: { type: "string" },
    });
    expect(positionals).toEqual(["http://h/", "b", "t"]);
    expect(values).toMatchObject({ json: true, quiet: true, count: "3" });
    expect(() => parseCommand("sub", ["--nope"], {})).toThrow('unknown option --nope for "moqscope sub"');
    expect(() => parseCommand("sub", ["--count"], { count: { type: "string" } })).toThrow("--count needs a value");
  });
});
