import type { Clock } from '@aset/determinism';
import type { ArrivalSchedule } from '@aset/workload';

/**
 * Calls `send(i, stream, due)` for every arrival of `schedule` whose stream `emits` (default: every
 * one), in order, at its due time `startAt + offsetMs[i]` on `clock`: never early; timers may fire up
 * to ~1 ms late, which the latency (counted from `due`) then includes. Arrivals of other streams are
 * skipped without waiting for them. Open loop: `send` must not wait for the reply.
 */
export async function paceQueries(
  schedule: ArrivalSchedule,
  clock: Clock,
  startAt: number,
  send: (index: number, stream: number, due: number) => void,
  emits: (stream: number) => boolean = () => true,
): Promise<void> {
  for (let i = 0; i < schedule.count; i++) {
    const stream = schedule.stream[i] as number;
    if (!emits(stream)) continue;
    const due = startAt + (schedule.offsetMs[i] as number);
    while (clock.now() < due) await clock.sleep(due - clock.now());
    send(i, stream, due);
  }
}
