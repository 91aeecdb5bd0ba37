import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One step choice of an adaptive scheduler (aset), from a DecisionRecord. Written once per (run, scheduler, step). */
@Entity({ name: 'scheduling_decisions' })
export class SchedulingDecisionEntity {
  @PrimaryColumn({ name: 'run_id', type: 'text' })
  runId!: string;

  /** Scheduler instance that decided. */
  @PrimaryColumn({ name: 'scheduler_id', type: 'text' })
  schedulerId!: string;

  /** Step index since that scheduler started. */
  @PrimaryColumn({ type: 'integer' })
  step!: number;

  /** The adaptive policy that decided (`aset`). */
  @Column({ type: 'text' }) policy!: string;
  /** The static policy it chose for the step. */
  @Column({ type: 'text' }) chosen!: string;
  /** Step length, ms. */
  @Column({ name: 'step_ms', type: 'double precision' }) stepMs!: number;
  /** Start of the step. */
  @Column({ type: 'timestamptz' }) at!: Date;
  /** The recent success ratio (0-1) the agent observed when it chose. */
  @Column({ name: 'observed_success_ratio', type: 'double precision' }) observedSuccessRatio!: number;
  @Column({ name: 'ingested_at', type: 'timestamptz', default: () => 'now()' }) ingestedAt!: Date;
}
