// moq-lite messages for versions 01–05 as pure encode/decode functions.
// encodeX(msg, version) returns `Length (i) + body` (typed subscribe responses add `Type (i)`,
// SETUP uses a 16-bit length); decodeX(body, version, limits?) takes the body only and throws
// DecodeError on malformed input or leftover bytes.
export * from "./version.ts";
export * from "./stream-type.ts";
export * from "./path.ts";
export * from "./announce.ts";
export * from "./announce-06.ts";
export * from "./subscribe.ts";
export * from "./group.ts";
export * from "./fetch.ts";
export * from "./probe.ts";
export * from "./goaway.ts";
export * from "./setup.ts";
export * from "./setup-stream.ts";
export * from "./track.ts";
export * from "./datagram.ts";
