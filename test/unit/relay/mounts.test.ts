// A grant's read-only mounts: the checks moq-net's Producer::mount makes (literal mount points,
// no chaining in either order, shared targets allowed) and the names a session sees paths by.

import { describe, expect, it } from "vitest";
import { namesOf, parseMounts, underMount } from "../../../main/moq/relay/mounts.ts";
import type { Path } from "../../../main/moq/model/path.ts";

const p = (s: string) => s as Path;

describe("parseMounts", () => {
  it("normalises mount points and targets", () => {
    expect(parseMounts({ "/.svc/": "//.svc/pid/" }, p("pid"))).toEqual([{ at: ".svc", target: ".svc/pid" }]);
  });

  it("refuses a wildcard mount point, and mounts that chain or overlap, whatever their order", () => {
    expect(() => parseMounts({ "*": ".svc/pid" }, p("pid"))).toThrow(/literal path, not a pattern/);
    // The cases of moq-relay's own test: a target through another mount point, in key order.
    expect(() => parseMounts({ ".a": "pid/.z", ".z": "secret" }, p("pid"))).toThrow(/overlaps/);
    // A mount point on or under its own target, or under another mount point.
    expect(() => parseMounts({ x: "pid" }, p("pid"))).toThrow(/its own target/);
    expect(() => parseMounts({ ".svc": ".other", ".svc/x": ".else" }, p("pid"))).toThrow(/overlaps/);
    // A mount point inside another mount's target.
    expect(() => parseMounts({ a: "pid/b", b: "t" }, p("pid"))).toThrow(/overlaps/);
  });

  it("refuses a mount deeper than any pattern can name", () => {
    const deep = Array.from({ length: 33 }, (_, i) => `d${i}`).join("/");
    expect(() => parseMounts({ x: deep }, p("pid"))).toThrow(/mount target .* deeper than 32 segments/);
    expect(() => parseMounts({ [deep]: "t" }, p("pid"))).toThrow(/mount point .* deeper than 32 segments/);
  });

  it("lets mounts share a target", () => {
    expect(parseMounts({ a: "shared", b: "shared" }, p("pid"))).toHaveLength(2);
  });
});

describe("namesOf", () => {
  const mounts = parseMounts({ ".svc": ".svc/pid" }, p("pid"));

  it("names a target's broadcasts under the mount, and hides what sits at the mount point itself", () => {
    expect(namesOf(mounts, p("pid"), p(".svc/pid/foo"))).toEqual([".svc/foo"]);
    expect(namesOf(mounts, p("pid"), p(".svc/pid"))).toEqual([".svc"]);
    expect(namesOf(mounts, p("pid"), p("pid/.svc/forged"))).toEqual([]);
    expect(namesOf(mounts, p("pid"), p("pid/cam"))).toEqual(["cam"]);
    expect(namesOf(mounts, p("pid"), p(".svc/other/foo"))).toEqual([]);
  });

  it("gives a path both names when it is under the root and a target", () => {
    const inside = parseMounts({ mirror: "live" }, p(""));
    expect(namesOf(inside, p(""), p("live/cam"))).toEqual(["live/cam", "mirror/cam"]);
  });

  it("says which session paths are read-only", () => {
    expect(underMount(mounts, p(".svc"))).toBe(true);
    expect(underMount(mounts, p(".svc/x"))).toBe(true);
    expect(underMount(mounts, p(".svcx"))).toBe(false);
    expect(underMount(mounts, p("cam"))).toBe(false);
  });
});
