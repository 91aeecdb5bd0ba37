import type { Clock } from '@aset/determinism';
import type { ArrivalSchedule } from '@aset/workload';

/**
 * Calls `send(i, due)` for every arrival of `schedule`, in order, at its due time `startAt +
 * offsetMs[i]` on `clock`: never early; timers may fire up to ~1 ms late, which the latency
 * (counted from `due`) then includes. Open loop: `send` must not wait for the reply.
 */
export async function paceQueries(schedule: ArrivalSchedule, clock: Clock, startAt: number, send: (index: number, stream: number, due: number) => void): Promise<void> {
  for (let i = 0; i < schedule.count; i++) {
    const due = startAt + (schedule.offsetMs[i] as number);
    while (clock.now() < due) await clock.sleep(due - clock.now());
    send(i, schedule.stream[i] as number, due);
  }
}
