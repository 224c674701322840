// A V8 CPU profile of exactly the measured interval of one process (main thread), taken through
// the in-process inspector. `node --cpu-prof` would also record start-up and the TypeScript
// loader, which drown the transfer in a short run.

import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";

export interface RunningProfile {
  /** Stop and write the profile to the path given at start. */
  stop(): Promise<void>;
}

function post<T = unknown>(session: Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) => {
    session.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result as T)));
  });
}

export async function startProfile(path: string): Promise<RunningProfile> {
  const session = new Session();
  session.connect();
  await post(session, "Profiler.enable");
  // 200 µs sampling: fine enough for a few seconds of transfer, small enough not to matter.
  await post(session, "Profiler.setSamplingInterval", { interval: 200 });
  await post(session, "Profiler.start");
  return {
    async stop() {
      const { profile } = await post<{ profile: object }>(session, "Profiler.stop");
      session.disconnect();
      writeFileSync(path, JSON.stringify(profile));
    },
  };
}
