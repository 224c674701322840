// Map moq-lite priorities onto the transport's W3C sendOrder (higher is sent first), spec §2.3.
// Every group stream gets a negative order so control streams (order 0) always go first; within
// a priority, newer groups win unless the subscriber asked for ordered delivery.

const PRIORITY_STEP = 2 ** 44;
const SEQUENCE_SPAN = 2 ** 44 - 1;

export function groupSendOrder(priority: number, ordered: boolean, sequence: number): number {
  const base = -(255 - priority) * PRIORITY_STEP - PRIORITY_STEP;
  const seq = Math.min(sequence, SEQUENCE_SPAN - 1);
  return ordered ? base + (SEQUENCE_SPAN - seq) : base + seq + 1;
}
