import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One testbed or simulator run. Written only by the metrics store, from RunRecords. */
@Entity({ name: 'runs' })
export class RunEntity {
  @PrimaryColumn({ name: 'run_id', type: 'text' })
  runId!: string;

  @Column({ type: 'text', nullable: true })
  scenario!: string | null;

  /** Scheduler policy the launcher configured, when it said. */
  @Column({ type: 'text', nullable: true })
  policy!: string | null;

  @Column({ type: 'integer', nullable: true })
  seed!: number | null;

  @Column({ name: 'code_version', type: 'text', nullable: true })
  codeVersion!: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  parameters!: Record<string, unknown>;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  /**
   * Query records the generator published (a split run's: its parts' sum, set with `finishedAt` once
   * every part finished); the run is fully ingested when `queries` holds this many rows.
   */
  @Column({ name: 'query_count', type: 'integer', nullable: true })
  queryCount!: number | null;

  /** How busy the host was during a live run (`HostUsage`), when the testbed measured it. */
  @Column({ name: 'host_usage', type: 'jsonb', nullable: true })
  hostUsage!: Record<string, unknown> | null;

  /** The generator's final `aset_*` metrics (prom-client JSON per family); a split run's are on its parts. */
  @Column({ name: 'generator_metrics', type: 'jsonb', nullable: true })
  generatorMetrics!: unknown[] | null;

  /** Generators the run is split over (its `run_parts`); null for a run of one generator. */
  @Column({ name: 'part_count', type: 'integer', nullable: true })
  partCount!: number | null;
}
