// One fan-out step: a fresh relay, one publisher and `count` subscriber sessions spread over
// processes of at most `perProcess` sessions. Everyone connects, every session gets its first
// frame, a warm-up passes, then the window is measured and every process tears down.

import type { ChildProcess } from "node:child_process";
import { expectMessage, forkChild, stopChild } from "./children.ts";
import type {
  FromPublisher,
  FromRelay,
  FromSubscriber,
  PublisherConfig,
  RelayReport,
  SubscriberConfig,
  SubscriberKind,
  SubscriberReport,
} from "./protocol.ts";

export interface StepPlan {
  count: number;
  kind: SubscriberKind;
  perProcess: number;
  fps: number;
  frameBytes: number;
  groupFrames: number;
  warmupMs: number;
  measureMs: number;
  graceMs: number;
}

export interface PublisherReportLike {
  fromGroup: number;
  toGroup: number;
  usage: RelayReport["usage"];
}

export interface StepResult {
  count: number;
  kind: SubscriberKind;
  relay: RelayReport;
  publisher: PublisherReportLike;
  subscribers: SubscriberReport[];
}

const SETUP_MS = 60_000;

export async function runStep(plan: StepPlan): Promise<StepResult> {
  const children: ChildProcess[] = [];
  try {
    const relay = forkChild("./relay-proc.ts", {}, "relay");
    children.push(relay);
    const { port } = await expectMessage<FromRelay, "listening">(relay, "listening", SETUP_MS, "the relay to listen");
    const url = `ws://127.0.0.1:${port}/`;

    const pubConfig: PublisherConfig = {
      url,
      fps: plan.fps,
      frameBytes: plan.frameBytes,
      groupFrames: plan.groupFrames,
    };
    const publisher = forkChild("./publisher-proc.ts", pubConfig, "pub");
    children.push(publisher);
    await expectMessage<FromPublisher, "publishing">(publisher, "publishing", SETUP_MS, "the publisher to publish");

    const subs: ChildProcess[] = [];
    for (let first = 0; first < plan.count; first += plan.perProcess) {
      const config: SubscriberConfig = {
        url,
        kind: plan.kind,
        sessions: Math.min(plan.perProcess, plan.count - first),
        frameBytes: plan.frameBytes,
        groupFrames: plan.groupFrames,
      };
      const child = forkChild("./subscriber-proc.ts", config, `sub${subs.length}`);
      children.push(child);
      subs.push(child);
    }
    await Promise.all(
      subs.map((s, i) =>
        expectMessage<FromSubscriber, "ready">(s, "ready", SETUP_MS, `subscriber process ${i} to receive`),
      ),
    );
    await new Promise((r) => setTimeout(r, plan.warmupMs));

    // The window: from the first group opened after "mark" to the last one finished before "stop".
    relay.send({ type: "mark" });
    publisher.send({ type: "mark" });
    const marked = await expectMessage<FromPublisher, "marked">(publisher, "marked", 5000, "the publisher's mark");
    for (const s of subs) s.send({ type: "mark", fromGroup: marked.fromGroup });
    await new Promise((r) => setTimeout(r, plan.measureMs));
    const stoppedP = expectMessage<FromPublisher, "stopped">(publisher, "stopped", 5000, "the publisher's stop");
    const relayP = expectMessage<FromRelay, "report">(relay, "report", 5000, "the relay's report");
    publisher.send({ type: "stop" });
    relay.send({ type: "stop" });
    const stopped = await stoppedP;
    const reports = await Promise.all(
      subs.map((s, i) => {
        const report = expectMessage<FromSubscriber, "report">(
          s,
          "report",
          plan.graceMs + 10_000,
          `subscriber process ${i}'s report`,
        );
        s.send({ type: "stop", toGroup: stopped.toGroup, graceMs: plan.graceMs });
        return report;
      }),
    );
    return {
      count: plan.count,
      kind: plan.kind,
      relay: (await relayP).report,
      publisher: { fromGroup: marked.fromGroup, toGroup: stopped.toGroup, usage: stopped.usage },
      subscribers: reports.map((r) => r.report),
    };
  } finally {
    await Promise.all(children.map(stopChild));
  }
}
