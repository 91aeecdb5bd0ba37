import { z } from 'zod';

const probability = z.number().min(0).max(1);

/**
 * Exploration rate as a function of the step count (JSON-serialisable, so it travels in checkpoints):
 * - `linear`: from `start` to `end` over `steps` steps, then `end`;
 * - `exponential`: `end + (start - end) * 2^(-step / halfLife)`;
 * - `constant`: always `value`.
 */
export const EpsilonScheduleSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('linear'), start: probability, end: probability, steps: z.int().min(1) }),
  z.strictObject({ kind: z.literal('exponential'), start: probability, end: probability, halfLife: z.number().positive() }),
  z.strictObject({ kind: z.literal('constant'), value: probability }),
]);

export type EpsilonSchedule = z.infer<typeof EpsilonScheduleSchema>;

/** Epsilon after `step` steps (step >= 0). */
export function epsilonAt(schedule: EpsilonSchedule, step: number): number {
  switch (schedule.kind) {
    case 'linear': {
      const f = step >= schedule.steps ? 1 : step / schedule.steps;
      return schedule.start + (schedule.end - schedule.start) * f;
    }
    case 'exponential':
      return schedule.end + (schedule.start - schedule.end) * Math.pow(2, -step / schedule.halfLife);
    case 'constant':
      return schedule.value;
  }
}
