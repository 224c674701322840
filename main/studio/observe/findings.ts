// Expert findings, ranked as Wireshark does: one item per distinct finding, its repeats counted.

import type { Finding, FindingKind, Severity } from "../../ipc/contract.ts";
import { LiveCollection } from "../live/collection.ts";

/** Distinct findings kept per connection; the oldest go first. */
export const MAX_FINDINGS = 500;

export interface FindingInput {
  kind: FindingKind;
  severity: Severity;
  /** A track key, a broadcast, or "connection". */
  subject: string;
  text: string;
  at: number;
  link?: { track: string; sequence: number | null } | null;
  /** What makes two findings the same one; default kind + subject. */
  id?: string;
}

export class Findings {
  readonly view = new LiveCollection<Finding>(MAX_FINDINGS);

  /** Record a finding, or count a repeat of it (the text and link follow the latest). */
  raise(input: FindingInput): void {
    const key = input.id ?? `${input.kind}:${input.subject}`;
    const current = this.view.get(key);
    this.view.set({
      key,
      severity: input.severity,
      kind: input.kind,
      subject: input.subject,
      text: input.text,
      firstAt: current?.firstAt ?? input.at,
      lastAt: input.at,
      count: (current?.count ?? 0) + 1,
      link: input.link ?? null,
    });
  }

  has(key: string): boolean {
    return this.view.has(key);
  }
}
