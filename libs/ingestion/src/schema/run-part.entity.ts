import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One part of a run split over several generators, from the part's RunRecords. Written only by the metrics store. */
@Entity({ name: 'run_parts' })
export class RunPartEntity {
  @PrimaryColumn({ name: 'run_id', type: 'text' })
  runId!: string;

  @PrimaryColumn({ name: 'part_id', type: 'text' })
  partId!: string;

  /** The scenario sources whose arrivals the part emitted. */
  @Column({ type: 'jsonb', default: () => "'[]'::jsonb" })
  sources!: string[];

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  /** Null until the part's `finished` record is stored. */
  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  /** Query records the part published. */
  @Column({ name: 'query_count', type: 'integer', nullable: true })
  queryCount!: number | null;

  /** The part's generator's final `aset_*` metrics (prom-client JSON per family). */
  @Column({ name: 'generator_metrics', type: 'jsonb', nullable: true })
  generatorMetrics!: unknown[] | null;
}
