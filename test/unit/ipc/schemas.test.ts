import { describe, expect, it } from "vitest";
import {
  IpcValidationError,
  INVOKE_SCHEMAS,
  LIMITS,
  VIEW_SCHEMAS,
  isInvokeChannel,
  parseClientMessage,
  parseInvoke,
  parseWatch,
} from "../../../main/ipc/schemas.ts";

function invokeError(channel: string, args: unknown): string {
  try {
    parseInvoke(channel, args);
  } catch (err) {
    expect(err).toBeInstanceOf(IpcValidationError);
    return (err as Error).message;
  }
  throw new Error(`expected ${channel} to be refused`);
}

function watchError(view: string, params: unknown): string {
  try {
    parseWatch(view, params);
  } catch (err) {
    expect(err).toBeInstanceOf(IpcValidationError);
    return (err as Error).message;
  }
  throw new Error(`expected ${view} to be refused`);
}

function messageError(raw: unknown): string {
  try {
    parseClientMessage(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(IpcValidationError);
    return (err as Error).message;
  }
  throw new Error("expected the message to be refused");
}

const sub = { connectionId: "default", broadcast: "demo/clock", track: "clock" };

describe("request arguments", () => {
  it("accepts every channel's valid arguments and copies only known keys", () => {
    expect(parseInvoke("app:info", [])).toEqual({ channel: "app:info", args: [] });
    expect(parseInvoke("track:subscribe", [sub]).args).toEqual([sub]);
    expect(
      parseInvoke("profiles:save", [
        {
          name: "local",
          url: "http://127.0.0.1:4443/",
          transport: "auto",
          protocol: "auto",
          trust: { kind: "fingerprint", sha256: "ab".repeat(32) },
          token: null,
        },
      ]).args[0],
    ).toMatchObject({ name: "local", token: null });
    expect(parseInvoke("connection:open", [{ profileId: "p1" }]).args).toEqual([{ profileId: "p1" }]);
    expect(parseInvoke("connection:open", [{ url: "ws://x/", transport: "websocket" }]).args).toEqual([
      { url: "ws://x/", transport: "websocket" },
    ]);
    expect(parseInvoke("frame:open", [{ connectionId: "c", track: "t", sequence: 0, index: 3 }]).channel).toBe(
      "frame:open",
    );
    expect(parseInvoke("probe:start", [{ connectionId: "c", targetBitrate: 5e6 }]).args).toEqual([
      { connectionId: "c", targetBitrate: 5e6 },
    ]);
    expect(parseInvoke("camera:allow", [{ allowed: true }]).args).toEqual([{ allowed: true }]);
  });

  it("names the channel, the argument and the field in its errors", () => {
    expect(invokeError("track:subscribe", [{ ...sub, broadcast: "" }])).toBe(
      "track:subscribe request.broadcast: must be 1 to 1024 characters",
    );
    expect(invokeError("track:subscribe", [{ ...sub, broadcast: "x".repeat(1025) }])).toBe(
      "track:subscribe request.broadcast: must be 1 to 1024 characters",
    );
    expect(invokeError("track:subscribe", [{ connectionId: "c", broadcast: "b" }])).toBe(
      "track:subscribe request.track: is required",
    );
    expect(invokeError("track:subscribe", [{ ...sub, track: 5 }])).toBe(
      "track:subscribe request.track: must be a string (got number)",
    );
    expect(invokeError("profiles:save", [{ name: "n" }])).toMatch(/^profiles:save profile\.url: is required$/);
    expect(invokeError("group:frames", [{ connectionId: "c", track: "t", sequence: 1.5 }])).toBe(
      `group:frames request.sequence: must be an integer from 0 to ${Number.MAX_SAFE_INTEGER}`,
    );
    expect(invokeError("group:frames", [{ connectionId: "c", track: "t", sequence: -1 }])).toMatch(
      /sequence: must be an integer/,
    );
    expect(invokeError("group:frames", [{ connectionId: "c", track: "t", sequence: Number.NaN }])).toMatch(
      /sequence: must be an integer/,
    );
    expect(invokeError("probe:start", [{ connectionId: "c", targetBitrate: -5 }])).toBe(
      "probe:start request.targetBitrate: must be a positive number of bits per second",
    );
    expect(
      invokeError("profiles:save", [
        { name: "n", url: "u", transport: "carrier-pigeon", protocol: "auto", trust: { kind: "system" } },
      ]),
    ).toBe(
      'profiles:save profile.transport: must be one of "auto", "webtransport", "webtransport-h3", "webtransport-h2", "websocket"',
    );
    expect(
      invokeError("profiles:save", [
        { name: "n", url: "u", transport: "auto", protocol: "auto", trust: { kind: "trust-me" } },
      ]),
    ).toBe('profiles:save profile.trust.kind: must be one of "system", "fingerprint", "insecure"');
    expect(
      invokeError("profiles:save", [
        { name: "n", url: "u", transport: "auto", protocol: "auto", trust: { kind: "fingerprint" } },
      ]),
    ).toBe("profiles:save profile.trust.sha256: is required");
  });

  it("picks the closest form of a union for its message", () => {
    expect(invokeError("connection:open", [{ url: "ws://x/", transport: "pigeon" }])).toBe(
      'connection:open request.transport: must be one of "auto", "webtransport", "webtransport-h3", "webtransport-h2", "websocket"',
    );
    expect(invokeError("connection:open", [{ profileId: 7 }])).toBe(
      "connection:open request.profileId: must be a string (got number)",
    );
    expect(invokeError("connection:open", [{}])).toBe("connection:open request: does not match any accepted form");
  });

  it("refuses unknown channels, including Object.prototype names", () => {
    for (const name of ["nope", "toString", "__proto__", "constructor", "hasOwnProperty", ""]) {
      expect(invokeError(name, [])).toMatch(/is not a request channel of moqscope$/);
      expect(isInvokeChannel(name)).toBe(false);
    }
    expect(invokeError("x".repeat(10_000), [])).toHaveLength(
      `"${"x".repeat(64)}…" is not a request channel of moqscope`.length,
    );
  });

  it("refuses the wrong number or shape of arguments", () => {
    expect(invokeError("app:info", [1])).toBe("app:info: expects 0 arguments (got 1)");
    expect(invokeError("track:subscribe", [])).toBe("track:subscribe: expects 1 argument (got 0)");
    expect(invokeError("track:subscribe", [sub, sub])).toBe("track:subscribe: expects 1 argument (got 2)");
    expect(invokeError("track:subscribe", "nope")).toBe("track:subscribe: arguments must be an array");
    expect(invokeError("track:subscribe", [null])).toBe("track:subscribe request: must be an object (got null)");
    expect(invokeError("track:subscribe", [[1, 2]])).toBe("track:subscribe request: must be an object (got an array)");
    expect(invokeError("track:subscribe", ["text"])).toBe("track:subscribe request: must be an object (got string)");
  });

  it("refuses extra keys, prototype-pollution keys among them, and never pollutes", () => {
    expect(invokeError("track:subscribe", [{ ...sub, extra: 1 }])).toBe(
      'track:subscribe request: has unknown field "extra"',
    );
    const polluted = JSON.parse(
      `{"connectionId":"c","broadcast":"b","track":"t","__proto__":{"polluted":true}}`,
    ) as unknown;
    expect(invokeError("track:subscribe", [polluted])).toBe('track:subscribe request: has unknown field "__proto__"');
    const ctor = JSON.parse(`{"connectionId":"c","constructor":{"prototype":{"polluted":true}}}`) as unknown;
    expect(invokeError("connection:close", [ctor])).toBe('connection:close request: has unknown field "constructor"');
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    const many = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, i]));
    expect(invokeError("connection:close", [{ connectionId: "c", ...many }])).toBe(
      'connection:close request: has unknown fields "k0", "k1", "k2", …',
    );
  });

  it("bounds every string and number", () => {
    expect(invokeError("connection:close", [{ connectionId: "c".repeat(LIMITS.id + 1) }])).toBe(
      "connection:close request.connectionId: must be 1 to 128 characters",
    );
    expect(invokeError("connection:connect", [{ connectionId: "c", url: "h".repeat(LIMITS.url + 1) }])).toBe(
      "connection:connect request.url: must be 1 to 2048 characters",
    );
    expect(invokeError("probe:start", [{ connectionId: "c", targetBitrate: Number.POSITIVE_INFINITY }])).toMatch(
      /targetBitrate: must be/,
    );
    expect(invokeError("recording:open", [{ path: "p".repeat(1_000_000) }])).toBe(
      "recording:open request.path: must be 1 to 4096 characters",
    );
  });

  it("checks what the Publish view sends: kinds, codec strings, sizes, base64 frames", () => {
    const camera = {
      connectionId: "c",
      broadcast: "me/cam.hang",
      codec: "avc1.42e01f",
      width: 1280,
      height: 720,
      framerate: 30,
      bitrate: 2e6,
    };
    expect(parseInvoke("publish:camera", [camera]).args).toEqual([camera]);
    expect(invokeError("publish:camera", [{ ...camera, codec: "hev1.1.6.L93.B0" }])).toBe(
      "publish:camera request.codec: must be a WebCodecs codec string for H.264, VP8, VP9 or AV1",
    );
    expect(invokeError("publish:camera", [{ ...camera, width: 100_000 }])).toMatch(
      /width: must be an integer from 16 to 8192/,
    );
    expect(invokeError("publish:start", [{ connectionId: "c", kind: "file", broadcast: "x" }])).toMatch(
      /kind: must be one of "clock", "test-video"/,
    );
    const frame = { connectionId: "c", publicationId: "p1", keyframe: true, timestampUs: 33_333, data: "AAEC" };
    expect(parseInvoke("publish:frame", [frame]).args).toEqual([frame]);
    expect(invokeError("publish:frame", [{ ...frame, data: "not base64!" }])).toBe(
      "publish:frame frame.data: must be base64",
    );
    expect(invokeError("publish:frame", [{ ...frame, data: "A".repeat(800_000) }])).toBe(
      "publish:frame frame.data: must be at most 512 KiB of base64: lower the bitrate",
    );
    expect(invokeError("publish:frame", [{ ...frame, timestampUs: -1 }])).toMatch(
      /timestampUs: must be an integer from 0/,
    );
  });

  it("has a schema for every channel of the contract", () => {
    expect(Object.keys(INVOKE_SCHEMAS).sort()).toContain("recording:open");
  });
});

describe("view parameters", () => {
  it("accepts each view's parameters", () => {
    expect(parseWatch("connections", {})).toEqual({ view: "connections", params: {} });
    expect(parseWatch("tree", { connectionId: "default" }).params).toEqual({ connectionId: "default" });
    const params = {
      connectionId: "c",
      filter: { text: "", types: ["GROUP", "FRAME"], direction: "received", stream: 4 },
      limit: 2000,
    };
    expect(parseWatch("messages", params).params).toEqual(params);
    expect(parseWatch("broadcast", { connectionId: "c", broadcast: "demo/video.hang" }).view).toBe("broadcast");
    expect(parseWatch("publications", { connectionId: "c" }).view).toBe("publications");
    expect(Object.keys(VIEW_SCHEMAS)).toHaveLength(10);
  });

  it("refuses unknown views, extra keys and unbounded filters", () => {
    expect(watchError("secrets", {})).toBe('"secrets" is not a view of moqscope');
    expect(watchError("__proto__", {})).toBe('"__proto__" is not a view of moqscope');
    expect(watchError("connections", { all: true })).toBe('connections params: has unknown field "all"');
    expect(watchError("connections", null)).toBe("connections params: must be an object (got null)");
    expect(watchError("tree", {})).toBe("tree params.connectionId: is required");
    expect(watchError("messages", { connectionId: "c", limit: 2001 })).toBe(
      "messages params.limit: must be an integer from 1 to 2000",
    );
    expect(watchError("messages", { connectionId: "c", limit: 0 })).toMatch(/limit: must be an integer from 1 to 2000/);
    expect(watchError("messages", { connectionId: "c", filter: { direction: "sideways" } })).toBe(
      'messages params.filter.direction: must be one of "sent", "received", "local"',
    );
    expect(watchError("messages", { connectionId: "c", filter: { types: Array(10_000).fill("GROUP") } })).toBe(
      "messages params.filter.types: must have at most 32 items",
    );
    expect(watchError("messages", { connectionId: "c", filter: { types: ["GROUP", 5] } })).toBe(
      "messages params.filter.types[1]: must be a string (got number)",
    );
    expect(watchError("messages", { connectionId: "c", filter: { text: "t".repeat(257) } })).toBe(
      "messages params.filter.text: must be 0 to 256 characters",
    );
  });
});

describe("client messages", () => {
  it("accepts the four kinds", () => {
    expect(parseClientMessage({ type: "invoke", id: 1, channel: "app:info", args: [] })).toEqual({
      type: "invoke",
      id: 1,
      channel: "app:info",
      args: [],
    });
    expect(parseClientMessage({ type: "watch", watchId: 2, view: "tree", params: { connectionId: "c" } }).type).toBe(
      "watch",
    );
    expect(parseClientMessage({ type: "unwatch", watchId: 2 })).toEqual({ type: "unwatch", watchId: 2 });
    expect(parseClientMessage({ type: "ack", watchId: 2, seq: 7 })).toEqual({ type: "ack", watchId: 2, seq: 7 });
  });

  it("refuses garbage with a message naming the field", () => {
    expect(messageError(null)).toBe("message: must be an object (got null)");
    expect(messageError("invoke")).toBe("message: must be an object (got string)");
    expect(messageError([])).toBe("message: must be an object (got an array)");
    expect(messageError({})).toBe('message.type: must be one of "invoke", "watch", "unwatch", "ack"');
    expect(messageError({ type: "exec", command: "rm" })).toBe(
      'message.type: must be one of "invoke", "watch", "unwatch", "ack"',
    );
    expect(messageError({ type: "invoke", id: "1", channel: "app:info", args: [] })).toBe(
      `message.id: must be an integer from 0 to ${Number.MAX_SAFE_INTEGER}`,
    );
    expect(messageError({ type: "invoke", id: 1.5, channel: "app:info", args: [] })).toMatch(
      /^message\.id: must be an integer/,
    );
    expect(messageError({ type: "invoke", id: 1, channel: "app:info", args: {} })).toBe(
      "message.args: must be an array (got object)",
    );
    expect(messageError({ type: "invoke", id: 1, channel: "app:info", args: Array(1_000_000).fill(0) })).toBe(
      "message.args: must have at most 8 items",
    );
    expect(messageError({ type: "ack", watchId: 1, seq: 1, extra: true })).toBe('message: has unknown field "extra"');
    expect(messageError(JSON.parse(`{"type":"unwatch","watchId":1,"__proto__":{"x":1}}`))).toBe(
      'message: has unknown field "__proto__"',
    );
  });
});
