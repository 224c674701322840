// CPU and memory of the current process over the measured interval. RSS is sampled while measuring
// because the peak is what a relay operator has to provision for, not the value at the end.

import type { CpuMemSample } from "./protocol.ts";

export class UsageMeter {
  readonly #cpu = process.cpuUsage();
  readonly #at = performance.now();
  #peakRss = process.memoryUsage.rss();
  readonly #timer = setInterval(() => this.#sampleRss(), 200);

  #sampleRss(): void {
    this.#peakRss = Math.max(this.#peakRss, process.memoryUsage.rss());
  }

  stop(): CpuMemSample {
    clearInterval(this.#timer);
    this.#sampleRss();
    const d = process.cpuUsage(this.#cpu);
    return {
      cpuSeconds: (d.user + d.system) / 1e6,
      wallSeconds: (performance.now() - this.#at) / 1000,
      peakRssMb: this.#peakRss / 2 ** 20,
      heapUsedMb: process.memoryUsage().heapUsed / 2 ** 20,
    };
  }
}
