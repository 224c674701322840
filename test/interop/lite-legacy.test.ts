import * as Moq from "@moq/lite";
import { afterEach, describe, expect, it } from "vitest";
import { BroadcastProducer } from "../../main/moq/model/broadcast.ts";
import { startServer } from "../helpers/server.ts";
import type { TestServer } from "../helpers/server.ts";
import { str, text, within } from "../helpers/wait.ts";
import { until } from "./fixtures.ts";
import "./lite-peer.ts";

// @moq/lite's own connect() offers only bare subprotocols (its bundled qmux 0.0.6 carries no app
// protocol), so it lands on the 01/02 SETUP exchange: the path older peers take.

let server: TestServer | undefined;
let lite: Moq.Connection.Established | undefined;
afterEach(async () => {
  lite?.close();
  lite = undefined;
  await server?.close();
  server = undefined;
});

describe("@moq/lite's default connect against our server (SETUP, moq-lite-02)", () => {
  it("negotiates 02 and receives announcements and frames", async () => {
    server = await startServer({ legacy: true });
    const broadcast = new BroadcastProducer();
    const track = broadcast.createTrack("t");
    server.mux.publishBroadcast("legacy/cam", broadcast);

    lite = await within(Moq.Connection.connect(new URL(server.ws.replace("ws://", "http://"))), 10_000, "connect");
    expect(lite.version).toBe("moq-lite-02");
    const ours = server.sessions[0] ?? (await server.nextSession());
    expect(ours.connectionState().version).toBe("moq-lite-02");

    const announced = lite.announced(Moq.Path.from(""));
    expect(await within(announced.next(), 5000, "announcement")).toMatchObject({ path: "legacy/cam", active: true });

    const sub = lite.consume(Moq.Path.from("legacy/cam")).subscribe("t", 1);
    // The subscription reaches us before we write, so the group is not missed.
    await until(() => track.consumerCount > 0, 5000, "their subscription");
    const group = track.openGroup();
    group.writeFrame(text("over setup"));
    group.close();
    const received = await within(sub.recvGroup(), 5000, "group");
    expect(str(await received!.readFrame())).toBe("over setup");
  });
});
