// The profile store on real files in a temporary folder: what survives a restart, what happens to a
// file that cannot be used (kept aside, reported), and where a token may and may not appear.

import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ProfileInput } from "../../../../main/ipc/contract.ts";
import { ProfileStore } from "../../../../main/studio/profiles/store.ts";
import { setAside } from "../../../../main/studio/profiles/set-aside.ts";

const DEMO = { name: "Local demo relay", url: "http://127.0.0.1:4443/" };
const SECRET = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXRva2Vu.SIGNATURE-abc";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "moqscope-profiles-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const file = () => join(dir, "profiles.json");
const input = (over: Partial<ProfileInput> = {}): ProfileInput => ({
  name: "Staging",
  url: "https://relay.example.com/room",
  transport: "auto",
  protocol: "auto",
  trust: { kind: "system" },
  ...over,
});
const validFile = (profiles: unknown[], version = 1) =>
  JSON.stringify({ format: "moqscope-profiles", version, profiles }, null, 2);
const storedEntry = (over: Record<string, unknown> = {}) => ({
  id: "p1",
  name: "One",
  url: "https://one.example/",
  transport: "websocket",
  protocol: "moq-lite-03",
  trust: { kind: "insecure" },
  token: SECRET,
  ...over,
});
/** Files beside profiles.json that hold a kept-aside copy. */
const asideFiles = async () => (await readdir(dir)).filter((n) => n.startsWith("profiles.json.corrupt-"));

describe("ProfileStore", () => {
  it("starts with only the built-in profile when there is no file, creating the folder", async () => {
    const configDir = join(dir, "nested", "config");
    const store = await ProfileStore.open(configDir, DEMO);
    expect(store.problem).toBeNull();
    expect(store.list()).toEqual([
      {
        key: "local-demo",
        id: "local-demo",
        name: DEMO.name,
        url: DEMO.url,
        transport: "auto",
        protocol: "auto",
        trust: { kind: "system" },
        hasToken: false,
        builtIn: true,
      },
    ]);
    expect((await stat(configDir)).isDirectory()).toBe(true);
    // Nothing is written until something is saved: the built-in never goes to disk.
    expect(await readdir(configDir)).toEqual([]);
  });

  it("round-trips saved profiles through the file, versioned, private, without the built-in", async () => {
    const store = await ProfileStore.open(dir, DEMO);
    const a = await store.save(input({ name: "  Staging  ", protocol: "MOQ-LITE-04", token: SECRET }));
    // A fingerprint as browsers show it: upper case, colon-separated.
    const b = await store.save(
      input({
        name: "Pinned",
        url: "wss://10.0.0.5:4443/",
        transport: "websocket",
        trust: { kind: "fingerprint", sha256: "AB:".repeat(32).slice(0, -1) },
      }),
    );
    expect(a).toMatchObject({ key: a.id, name: "Staging", protocol: "moq-lite-04", hasToken: true, builtIn: false });
    expect(b.trust).toEqual({ kind: "fingerprint", sha256: "ab".repeat(32) });

    const disk = JSON.parse(await readFile(file(), "utf8"));
    expect(disk.format).toBe("moqscope-profiles");
    expect(disk.version).toBe(1);
    expect(disk.profiles.map((p: { id: string }) => p.id)).toEqual([a.id, b.id]);
    if (process.platform !== "win32") expect((await stat(file())).mode & 0o777).toBe(0o600);

    const again = await ProfileStore.open(dir, DEMO);
    expect(again.problem).toBeNull();
    expect(again.list()).toEqual(store.list());
    expect(again.list()[0]!.builtIn).toBe(true);
    expect(again.get(a.id)!.token).toBe(SECRET);
    expect(await asideFiles()).toEqual([]);
  });

  it("keeps a file that is not valid JSON aside, says where it breaks, and starts empty", async () => {
    const broken = validFile([storedEntry()]).slice(0, 60);
    await writeFile(file(), broken);
    const store = await ProfileStore.open(dir, DEMO);

    const aside = await asideFiles();
    expect(aside).toHaveLength(1);
    expect(await readFile(join(dir, aside[0]!), "utf8")).toBe(broken);
    expect(store.list().map((p) => p.id)).toEqual(["local-demo"]);
    expect(store.problem).toContain(file());
    expect(store.problem).toContain(join(dir, aside[0]!));
    expect(store.problem).toMatch(/not valid JSON \(line \d+, column \d+: the text ends early/);
    expect(store.problem).not.toContain(SECRET.slice(0, 12));

    // Saving starts a fresh file; the kept copy stays as it was.
    await store.save(input());
    expect((await ProfileStore.open(dir, DEMO)).list()).toHaveLength(2);
    expect(await readFile(join(dir, aside[0]!), "utf8")).toBe(broken);
  });

  it("reports a syntax error in the middle with its line and column", async () => {
    await writeFile(file(), '{\n  "format": "moqscope-profiles",\n  "version": 1,\n  "profiles": [ x ]\n}\n');
    const store = await ProfileStore.open(dir, DEMO);
    expect(store.problem).toContain("line 4, column 17: expected a value");
  });

  it("keeps a file that breaks the schema aside, naming the field", async () => {
    await writeFile(file(), validFile([storedEntry(), storedEntry({ id: "p2", url: "ftp://files.example/" })]));
    const store = await ProfileStore.open(dir, DEMO);
    expect(store.problem).toContain("profiles[1].url: must start with http://, https://, ws:// or wss://");
    expect(store.problem).not.toContain(SECRET);
    expect(store.list()).toHaveLength(1);
    expect(await asideFiles()).toHaveLength(1);
  });

  it("refuses fingerprints, protocols, names, duplicate and reserved ids that are wrong", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ trust: { kind: "fingerprint", sha256: "abc" } }, "profiles[0].trust.sha256: must be a SHA-256 fingerprint"],
      [{ protocol: "moq-transport-07" }, 'profiles[0].protocol: must be "auto" or a version'],
      [{ name: "x".repeat(81) }, "profiles[0].name: must be at most 80 characters"],
      [{ id: "local-demo" }, 'profiles[0].id: "local-demo" is reserved'],
    ];
    for (const [over, message] of cases) {
      await writeFile(file(), validFile([storedEntry(over)]));
      const store = await ProfileStore.open(dir, DEMO);
      expect(store.problem).toContain(message);
    }
    await writeFile(file(), validFile([storedEntry(), storedEntry({ name: "Two" })]));
    expect((await ProfileStore.open(dir, DEMO)).problem).toContain("profiles[1].id: repeats an earlier profile's id");
    expect(await asideFiles()).toHaveLength(5);
  });

  it("keeps a file from a newer moqscope aside and says which version it is", async () => {
    await writeFile(file(), validFile([{ anything: "new" }], 2));
    const store = await ProfileStore.open(dir, DEMO);
    expect(store.problem).toContain("written by a newer moqscope (format version 2; this one reads version 1)");
    expect(await asideFiles()).toHaveLength(1);
  });

  it("keeps files aside under distinct names, never replacing an earlier one", async () => {
    const at = new Date("2026-12-04T04:02:44.123Z");
    await writeFile(file(), "first");
    const one = await setAside(file(), at);
    await writeFile(file(), "second");
    const two = await setAside(file(), at);
    expect(one).toBe(`${file()}.corrupt-20261204T040244Z`);
    expect(two).toBe(`${file()}.corrupt-20261204T040244Z-2`);
    expect(await readFile(one, "utf8")).toBe("first");
    expect(await readFile(two, "utf8")).toBe("second");
    await expect(stat(file())).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("will not save over a profiles file it could not read", async () => {
    await mkdir(file());
    const store = await ProfileStore.open(dir, DEMO);
    expect(store.problem).toContain("could not be read");
    await expect(store.save(input())).rejects.toThrow(/cannot be saved now/);
    expect((await stat(file())).isDirectory()).toBe(true);
  });

  it("reports a settings folder it cannot create instead of failing to open", async () => {
    await writeFile(join(dir, "a-file"), "");
    const store = await ProfileStore.open(join(dir, "a-file", "config"), DEMO);
    expect(store.problem).toMatch(/could not be created \(ENOTDIR\)/);
    expect(store.list().map((p) => p.id)).toEqual(["local-demo"]);
    await expect(store.save(input())).rejects.toThrow(
      /cannot be saved now: the settings folder .* could not be created/,
    );
  });

  it("sets, keeps and clears a token that never appears in a Profile or an error", async () => {
    const store = await ProfileStore.open(dir, DEMO);
    const saved = await store.save(input({ token: SECRET }));
    expect(saved.hasToken).toBe(true);
    expect(JSON.stringify(store.list())).not.toContain(SECRET);
    expect(JSON.stringify(store.view.items())).not.toContain(SECRET);
    expect(store.get(saved.id)!.token).toBe(SECRET);

    // Absent keeps it.
    const renamed = await store.save(input({ id: saved.id, name: "Renamed" }));
    expect(renamed).toMatchObject({ name: "Renamed", hasToken: true });
    expect(store.get(saved.id)!.token).toBe(SECRET);

    // null clears it.
    expect((await store.save(input({ id: saved.id, token: null }))).hasToken).toBe(false);
    expect(store.get(saved.id)!.token).toBeNull();
    expect(await readFile(file(), "utf8")).not.toContain(SECRET);

    // A jwt in the URL moves into the token.
    const fromUrl = await store.save(input({ url: `https://relay.example.com/room?jwt=${SECRET}&x=1` }));
    expect(fromUrl.url).toBe("https://relay.example.com/room?x=1");
    expect(fromUrl.hasToken).toBe(true);
    expect(store.get(fromUrl.id)!.token).toBe(SECRET);

    // Bad input: the message names the field, not the value.
    const bad = [
      input({ name: "", token: SECRET }),
      input({ token: `${SECRET} with spaces` }),
      input({ url: `not a url ${SECRET}`, token: SECRET }),
    ];
    for (const profile of bad) {
      const error = await store.save(profile).then(
        () => null,
        (e: Error) => e,
      );
      expect(error).toBeInstanceOf(Error);
      expect(error!.message).toMatch(/^The profile was not saved: (name|token|url): /);
      expect(error!.message).not.toContain(SECRET);
    }
  });

  it("keeps the built-in first and refuses to delete or change it", async () => {
    const store = await ProfileStore.open(dir, DEMO);
    await store.save(input({ name: "A" }));
    await store.save(input({ name: "B" }));
    expect(store.list().map((p) => p.name)).toEqual([DEMO.name, "A", "B"]);
    await expect(store.delete("local-demo")).rejects.toThrow("The built-in profile cannot be deleted.");
    await expect(store.save(input({ id: "local-demo" }))).rejects.toThrow(/built-in profile cannot be changed/);
    await expect(store.delete("nope")).rejects.toThrow(/no saved profile with id "nope"/);
    expect(await readFile(file(), "utf8")).not.toContain("local-demo");
    expect(store.get("local-demo")).toMatchObject({ builtIn: true, token: null, url: DEMO.url });
  });

  it("loses no profile when many saves and deletes run at once", async () => {
    const store = await ProfileStore.open(dir, DEMO);
    const first = await store.save(input({ name: "doomed" }));
    const saves = Array.from({ length: 25 }, (_, i) => store.save(input({ name: `relay ${i}` })));
    const results = await Promise.all([...saves, store.delete(first.id)]);
    expect(results).toHaveLength(26);
    const names = store.list().map((p) => p.name);
    expect(names).toHaveLength(26);
    expect(names).not.toContain("doomed");
    const again = await ProfileStore.open(dir, DEMO);
    expect(again.list().map((p) => p.name)).toEqual(names);
  });

  it("tells the view's watchers about every save and delete, updates in place", async () => {
    const store = await ProfileStore.open(dir, DEMO);
    const seen: [string, boolean][] = [];
    const stop = store.view.subscribe((key, removed) => seen.push([key, removed]));
    const a = await store.save(input({ name: "A" }));
    const b = await store.save(input({ name: "B" }));
    await store.save(input({ id: a.id, name: "A2" }));
    await store.delete(b.id);
    stop();
    expect(seen).toEqual([
      [a.id, false],
      [b.id, false],
      [a.id, false],
      [b.id, true],
    ]);
    expect(store.view.items().map((p) => p.name)).toEqual([DEMO.name, "A2"]);
    expect(store.view.get(a.id)?.name).toBe("A2");
  });
});
