// A publisher that loses groups on purpose: track "feed" of BROADCAST, one small group every
// 100 ms, and every tenth sequence number is skipped, so a subscriber finds a gap each second.
// Usage: tsx gappy-publisher.ts URL BROADCAST   (prints "publishing" once connected)

import { BroadcastProducer, TrackMux, connect, installPolyfills } from "../../../main/moq/node.ts";

installPolyfills();

const [url, broadcast] = process.argv.slice(2);
if (!url || !broadcast) {
  process.stderr.write("usage: gappy-publisher.ts URL BROADCAST\n");
  process.exit(2);
}

const producer = new BroadcastProducer();
const track = producer.createTrack("feed", { maxCachedGroups: 2 });
const mux = new TrackMux();
mux.publishBroadcast(broadcast, producer);
const session = await connect(url, { mux, transport: "websocket" });
process.stdout.write(`publishing ${broadcast}/feed\n`);

let sequence = 0;
const timer = setInterval(() => {
  const group = track.openGroup(sequence);
  group.writeFrame(new TextEncoder().encode(`group ${sequence}`));
  group.close();
  sequence += sequence % 10 === 8 ? 2 : 1;
}, 100);

const stop = (): void => {
  clearInterval(timer);
  producer.close();
  session.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
