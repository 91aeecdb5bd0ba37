import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One worker heartbeat: the state of one worker instance of a cluster at `at` (the heartbeat's send
 * time). Heartbeats carry no run id: a run's samples are those between its start and its end.
 */
@Entity({ name: 'cluster_samples' })
@Index('cluster_samples_at_idx', ['at'])
export class ClusterSampleEntity {
  @PrimaryColumn({ name: 'cluster_id', type: 'text' })
  clusterId!: string;

  @PrimaryColumn({ name: 'instance_id', type: 'text' })
  instanceId!: string;

  @PrimaryColumn({ type: 'timestamptz' })
  at!: Date;

  /** Slots (concurrent inferences) of the instance. */
  @Column({ type: 'integer' }) slots!: number;
  @Column({ name: 'busy_slots', type: 'integer' }) busySlots!: number;
  /** Queries waiting for a slot. */
  @Column({ name: 'queue_length', type: 'integer' }) queueLength!: number;
  /** Queries the instance completed since it started (a bigint: pg returns it as a string). */
  @Column({ type: 'bigint' }) processed!: string;
}
