// Recording files on disk: written in the background and read back line by line, with the damage a
// real file can carry (a crash mid-line, a foreign file, a newer format, a runaway line).

import { appendFile, mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  listRecordings,
  readRecording,
  readRecordingHeader,
  RecordingError,
  RecordingWriter,
  type RecordingRecord,
} from "../../../../main/studio/record/index.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "moqscope-rec-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const STARTED = Date.UTC(2026, 11, 4, 4, 2, 44);
const meta = {
  label: "Local demo",
  url: "http://127.0.0.1:4443/?jwt=secret-token",
  startedAt: STARTED,
  appVersion: "0.1.0",
};
const HEADER = JSON.stringify({
  format: "moqscope-recording",
  version: 1,
  label: "x",
  url: "https://r/",
  startedAt: 1,
});

/** Reads every record, and the error that ended the reading if any. */
async function readAll(path: string): Promise<{ records: RecordingRecord[]; error: RecordingError | null }> {
  const records: RecordingRecord[] = [];
  try {
    for await (const record of readRecording(path)) records.push(record);
    return { records, error: null };
  } catch (error) {
    expect(error).toBeInstanceOf(RecordingError);
    return { records, error: error as RecordingError };
  }
}

async function fileWith(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe("RecordingWriter and readRecording", () => {
  it("round-trips many records written without waiting, header first, jwt left out", async () => {
    const writer = await RecordingWriter.create(join(dir, "new", "folder"), meta);
    expect(writer.path).toMatch(/[/\\]\d{8}-\d{6}-local-demo\.moqrec\.jsonl$/);
    const count = 20_000;
    for (let i = 0; i < count; i++) {
      writer.write({ t: i % 2 ? "group" : "frame", at: STARTED + i / 10, seq: i, text: `é ${i}\u2028` });
    }
    const file = await writer.close();
    expect(writer.dropped).toBe(0);
    expect(writer.records).toBe(count);
    expect(file.path).toBe(writer.path);
    expect(file.bytes).toBe((await stat(writer.path)).size);
    expect(writer.bytes).toBe(file.bytes);

    const header = await readRecordingHeader(writer.path);
    expect(header).toEqual({
      format: "moqscope-recording",
      version: 1,
      label: "Local demo",
      url: "http://127.0.0.1:4443/",
      startedAt: STARTED,
      app: "0.1.0",
    });
    expect(await readFile(writer.path, "utf8")).not.toContain("secret-token");
    const { records, error } = await readAll(writer.path);
    expect(error).toBeNull();
    expect(records).toHaveLength(count);
    records.forEach((r, i) =>
      expect(r).toEqual({ t: i % 2 ? "group" : "frame", at: STARTED + i / 10, seq: i, text: `é ${i}\u2028` }),
    );
  });

  it("never reuses a file name", async () => {
    const a = await RecordingWriter.create(dir, meta);
    const b = await RecordingWriter.create(dir, meta);
    expect(b.path).not.toBe(a.path);
    expect(b.path).toMatch(/-local-demo-2\.moqrec\.jsonl$/);
    await Promise.all([a.close(), b.close()]);
  });

  it("yields the records before a line cut off by a crash, then names that line", async () => {
    const writer = await RecordingWriter.create(dir, meta);
    for (let i = 0; i < 3; i++) writer.write({ t: "group", at: STARTED + i, seq: i });
    await writer.close();
    await appendFile(writer.path, '{"t":"group","at":1764');

    const { records, error } = await readAll(writer.path);
    expect(records.map((r) => r.seq)).toEqual([0, 1, 2]);
    expect(error!.line).toBe(5);
    expect(error!.message).toMatch(/^\d{8}-\d{6}-local-demo\.moqrec\.jsonl line 5: not JSON \(cut off/);
  });

  it("names the line and column of a bad line in the middle, and a line that is not a record", async () => {
    const broken = await fileWith(
      "a.moqrec.jsonl",
      `${HEADER}\n{"t":"a","at":1}\n{"t":"b","at":2,}\n{"t":"c","at":3}\n`,
    );
    const first = await readAll(broken);
    expect(first.records.map((r) => r.t)).toEqual(["a"]);
    expect(first.error!.message).toBe("a.moqrec.jsonl line 3: not JSON (column 17: expected a '\"'-quoted key)");

    const notRecord = await fileWith("b.moqrec.jsonl", `${HEADER}\n\n{"t":"a","at":1}\n[1,2]\n`);
    const second = await readAll(notRecord);
    expect(second.records).toHaveLength(1);
    expect(second.error!.message).toBe(
      'b.moqrec.jsonl line 4: not a record (needs "t", its type as text, and "at", a time in epoch ms)',
    );
  });

  it("refuses a file that is not a recording before yielding anything", async () => {
    const cases: [string, string][] = [
      [
        '{"hello":"world"}\n{"t":"a","at":1}\n',
        'x.jsonl: not a moqscope recording (line 1 has no "format": "moqscope-recording")',
      ],
      ["", "x.jsonl: the file is empty, not a moqscope recording"],
      ["PK\u0003\u0004 binary", "x.jsonl: not a moqscope recording (line 1 is not JSON)"],
      [
        JSON.stringify({ format: "moqscope-recording", version: 1, url: "u", startedAt: 1 }) + "\n",
        "x.jsonl line 1: not a valid recording header (label:",
      ],
    ];
    for (const [text, message] of cases) {
      const path = await fileWith("x.jsonl", text);
      await expect(readRecordingHeader(path)).rejects.toThrow(message);
      const { records, error } = await readAll(path);
      expect(records).toEqual([]);
      expect(error!.message).toContain(message);
    }
    await expect(readRecordingHeader(join(dir, "absent.moqrec.jsonl"))).rejects.toThrow(
      "absent.moqrec.jsonl: cannot be read (no such file)",
    );
  });

  it("refuses a newer format version with a message that says what to do", async () => {
    const path = await fileWith(
      "new.moqrec.jsonl",
      HEADER.replace('"version":1', '"version":2') + '\n{"t":"a","at":1}\n',
    );
    await expect(readRecordingHeader(path)).rejects.toThrow(
      "new.moqrec.jsonl: recording format version 2 is newer than this moqscope reads (version 1); update moqscope to open it",
    );
    expect((await readAll(path)).records).toEqual([]);
  });

  it("refuses a line over 1 MiB without reading it whole, after the records before it", async () => {
    const huge = `{"t":"a","at":1,"x":"${"x".repeat(1_500_000)}"}`;
    const path = await fileWith("big.moqrec.jsonl", `${HEADER}\n{"t":"a","at":0}\n${huge}\n{"t":"b","at":2}\n`);
    const { records, error } = await readAll(path);
    expect(records).toHaveLength(1);
    expect(error!.line).toBe(3);
    expect(error!.message).toContain("big.moqrec.jsonl line 3: longer than 1 MiB, refused");

    const noNewline = await fileWith("flat.moqrec.jsonl", "x".repeat(3 * 1024 * 1024));
    await expect(readRecordingHeader(noNewline)).rejects.toThrow(
      "flat.moqrec.jsonl line 1: longer than 1 MiB, refused",
    );
  });

  it("leaves out a record too large for one line, saying what it was", async () => {
    const writer = await RecordingWriter.create(dir, meta);
    writer.write({ t: "frame", at: 5, payload: "y".repeat(2 * 1024 * 1024) });
    writer.write({ t: "frame", at: 6 });
    await writer.close();
    const { records, error } = await readAll(writer.path);
    expect(error).toBeNull();
    expect(records[0]).toMatchObject({ t: "omitted", at: 5, type: "frame" });
    expect(records[0]!.bytes).toBeGreaterThan(2 * 1024 * 1024);
    expect(records[1]).toEqual({ t: "frame", at: 6 });
  });

  it("counts records it cannot queue and writes a dropped record where they went missing", async () => {
    const writer = await RecordingWriter.create(dir, meta, { maxBufferedBytes: 2000 });
    for (let i = 0; i < 500; i++) writer.write({ t: "group", at: 1000 + i, seq: i });
    const dropped = writer.dropped;
    expect(dropped).toBeGreaterThan(400);
    await writer.flush();
    writer.write({ t: "group", at: 2000, seq: 500 });
    await writer.close();

    const { records } = await readAll(writer.path);
    const kept = 500 - dropped;
    expect(records.slice(0, kept).map((r) => r.seq)).toEqual([...Array(kept).keys()]);
    expect(records[kept]).toEqual({ t: "dropped", at: 2000, count: dropped, firstAt: 1000 + kept, lastAt: 1499 });
    expect(records[kept + 1]).toEqual({ t: "group", at: 2000, seq: 500 });
    expect(records).toHaveLength(kept + 2);
  });

  it("reports drops still unreported when it closes", async () => {
    const writer = await RecordingWriter.create(dir, meta, { maxBufferedBytes: 200 });
    for (let i = 0; i < 50; i++) writer.write({ t: "group", at: i, seq: i });
    await writer.close();
    const { records } = await readAll(writer.path);
    expect(records.at(-1)).toMatchObject({ t: "dropped", count: writer.dropped, lastAt: 49 });
    expect(records.length - 1 + writer.dropped).toBe(50);
  });

  it("stops at its size cap with a final record saying so", async () => {
    const writer = await RecordingWriter.create(dir, meta, { maxBytes: 8192 });
    for (let i = 0; i < 1000; i++) writer.write({ t: "group", at: i, seq: i, pad: "z".repeat(40) });
    expect(writer.limitReached).toBe(true);
    const file = await writer.close();
    expect(file.bytes).toBeLessThanOrEqual(8192);
    const { records, error } = await readAll(writer.path);
    expect(error).toBeNull();
    expect(records.at(-1)).toMatchObject({ t: "stopped", reason: "size-limit", limitBytes: 8192 });
    expect(records.at(-2)).toMatchObject({ t: "group", seq: records.length - 2 });
  });

  it("checks what it is given and ignores writes after close", async () => {
    const writer = await RecordingWriter.create(dir, meta);
    expect(() => writer.write({ at: 1 } as unknown as RecordingRecord)).toThrow(TypeError);
    expect(() => writer.write({ t: "x", at: Number.NaN })).toThrow(TypeError);
    expect(() => writer.write({ t: "x", at: 1, big: 1n })).toThrow(/recording record "x" cannot be written as JSON/);
    const closing = writer.close();
    writer.write({ t: "late", at: 2 });
    expect(await writer.close()).toEqual(await closing);
    expect((await readAll(writer.path)).records).toEqual([]);
  });
});

describe("listRecordings", () => {
  it("lists recordings newest first, ignoring other files, and a missing folder as empty", async () => {
    expect(await listRecordings(join(dir, "absent"))).toEqual([]);
    const names = [
      "20261201-100000-a.moqrec.jsonl",
      "20261203-100000-b.moqrec.jsonl",
      "20261202-100000-c.moqrec.jsonl",
    ];
    const times = [1_000_000, 3_000_000, 2_000_000];
    for (const [i, name] of names.entries()) {
      const path = await fileWith(name, HEADER + "\n");
      await utimes(path, times[i]!, times[i]!);
    }
    await fileWith("notes.txt", "not a recording");
    await mkdir(join(dir, "folder.moqrec.jsonl"));

    const list = await listRecordings(dir);
    expect(list.map((f) => f.name)).toEqual([names[1], names[2], names[0]]);
    expect(list[0]).toEqual({
      name: names[1],
      path: join(dir, names[1]!),
      bytes: HEADER.length + 1,
      modifiedAt: 3_000_000_000,
    });
  });
});
