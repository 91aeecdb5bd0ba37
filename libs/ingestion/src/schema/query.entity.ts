import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One query's lifecycle: exactly one row per (run_id, query_id), in its terminal state. */
@Entity({ name: 'queries' })
@Index('queries_run_policy_idx', ['runId', 'policy'])
@Index('queries_run_created_idx', ['runId', 'createdAt'])
@Index('queries_run_app_idx', ['runId', 'app'])
@Index('queries_run_cluster_idx', ['runId', 'clusterId'])
export class QueryEntity {
  @PrimaryColumn({ name: 'run_id', type: 'text' })
  runId!: string;

  @PrimaryColumn({ name: 'query_id', type: 'text' })
  queryId!: string;

  @Column({ type: 'text' }) app!: string;
  @Column({ type: 'text' }) source!: string;
  @Column({ type: 'text' }) task!: string;
  @Column({ type: 'text', nullable: true }) policy!: string | null;
  @Column({ name: 'cluster_id', type: 'text', nullable: true }) clusterId!: string | null;
  @Column({ name: 'variant_id', type: 'text', nullable: true }) variantId!: string | null;
  /** completed | dropped | error | timed_out */
  @Column({ type: 'text' }) status!: string;
  @Column({ type: 'text', nullable: true }) reason!: string | null;
  @Column({ type: 'text', nullable: true }) detail!: string | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'dispatched_at', type: 'timestamptz', nullable: true }) dispatchedAt!: Date | null;
  @Column({ name: 'received_at', type: 'timestamptz', nullable: true }) receivedAt!: Date | null;
  @Column({ name: 'started_at', type: 'timestamptz', nullable: true }) startedAt!: Date | null;
  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true }) finishedAt!: Date | null;
  @Column({ name: 'completed_at', type: 'timestamptz' }) completedAt!: Date;
  @Column({ name: 'emulated_network_ms', type: 'double precision', nullable: true }) emulatedNetworkMs!: number | null;
  @Column({ name: 'latency_ms', type: 'double precision' }) latencyMs!: number;
  @Column({ name: 'slo_max_latency_ms', type: 'double precision' }) sloMaxLatencyMs!: number;
  @Column({ name: 'slo_min_accuracy', type: 'double precision' }) sloMinAccuracy!: number;
  @Column({ name: 'slo_met', type: 'boolean' }) sloMet!: boolean;
  @Column({ type: 'boolean' }) warmup!: boolean;
  @Column({ type: 'integer', nullable: true }) prediction!: number | null;
  @Column({ type: 'integer', nullable: true }) label!: number | null;
  @Column({ name: 'ingested_at', type: 'timestamptz', default: () => 'now()' }) ingestedAt!: Date;
}
