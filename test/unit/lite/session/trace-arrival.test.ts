// Events about received data carry the moment its bytes arrived, not the moment the session got
// round to tracing them: a group stream delivered as one chunk gives its header and every frame
// the same time, however long the listener takes between events.

import { afterEach, expect, it } from "vitest";
import { TrackMux } from "../../../../main/moq/mux.ts";
import { now, type TimedEvent } from "../../../../main/moq/lite/session/events.ts";
import { Session } from "../../../../main/moq/lite/session/session.ts";
import { connectTransport } from "../../../../main/moq/transport/connect.ts";
import { startServer, type TestServer } from "../../transport/helpers.ts";
import { text, within } from "../../../helpers/wait.ts";
import { oneChunkAtEnd, tapTransport } from "./wire-tap.ts";

let server: TestServer | undefined;
const sessions: Session[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) s.close();
  await server?.close();
  server = undefined;
});

it("stamps received messages and frames with the arrival of their bytes", async () => {
  server = await startServer({ http3: false });
  const accepted = server.next();
  const inner = await connectTransport(`ws://127.0.0.1:${server.port}/`, {
    transport: "websocket",
    versions: ["moq-lite-04"],
    timeoutMs: 10_000,
  });
  const handedOver: number[] = [];
  const tap = tapTransport(inner, { incomingUni: (r) => oneChunkAtEnd(r, () => handedOver.push(now())) });
  const events: TimedEvent[] = [];
  const seenAt: number[] = [];
  const client = await Session.establish(tap.transport, "client", {
    onEvent: (e) => {
      events.push(e);
      if (e.type !== "frame") return;
      seenAt.push(now());
      // Let the clock move on, so a time taken when the next event is built would differ.
      const t = now();
      while (now() === t);
    },
  });
  const mux = new TrackMux();
  mux.publish("live", (writer) => {
    const group = writer.openGroup();
    for (let i = 0; i < 5; i++) group.writeFrame(text(`frame ${i}`));
    group.close();
    writer.close();
  });
  sessions.push(client, await Session.establish((await accepted).transport, "server", { mux }));

  const sub = client.subscribe("live", "t");
  const group = await within(sub.nextGroup(), 5000, "the group");
  while ((await group!.readFrame()) !== undefined);
  await within(sub.closed, 5000, "the end of the subscription");

  const groupStream = events.find((e) => e.type === "group")!.stream;
  const onStream = events.filter((e) => e.type !== "stream-ended" && "stream" in e && e.stream === groupStream);
  expect(onStream.map((e) => (e.type === "message" ? e.name : e.type))).toEqual([
    "stream-opened",
    "GROUP",
    "group",
    ...Array(5).fill("frame"),
  ]);
  expect(handedOver).toHaveLength(1);
  const arrival = onStream[0]!.at;
  expect(onStream.map((e) => e.at)).toEqual(onStream.map(() => arrival));
  expect(arrival).toBeGreaterThanOrEqual(handedOver[0]!);
  expect(arrival).toBeLessThanOrEqual(seenAt[0]!);
});
