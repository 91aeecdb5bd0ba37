import type { INestApplication } from '@nestjs/common';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { SubjectSpace, encodeMessage, type ClusterHeartbeat } from '@aset/contracts';
import { uniqueTestPrefix } from '@aset/contracts/testing';
import { createServiceApp, testNatsUrl, useServiceTestEnv } from '@aset/service-kit/testing';

/** The scheduler module running in process on its own subject prefix, with the test's own NATS connection. */
export interface SchedulerHarness {
  app: INestApplication;
  nc: NatsConnection;
  space: SubjectSpace;
  prefix: string;
  /** Publishes one heartbeat of `clusterId` from a fake worker (instance `fake-<clusterId>`, idle, 1 slot), and flushes. */
  heartbeat(clusterId: string): Promise<void>;
  /** Heartbeats of each of `clusterIds` every `periodMs` (the first at once) until the returned function or `close()` is called. */
  keepAlive(clusterIds: readonly string[], periodMs: number): () => void;
  /** Deletes the prefix's records stream (the scheduler may create it), closes the connection and the app. */
  close(): Promise<void>;
}

/**
 * Sets the scheduler's environment (`env` on top of the test defaults), then imports and starts its
 * module. ConfigModule reads the environment once per module graph: one harness per spec file.
 */
export async function startScheduler(label: string, env: Record<string, string>): Promise<SchedulerHarness> {
  const prefix = uniqueTestPrefix(label);
  useServiceTestEnv(prefix, env);
  const { validateSchedulerEnv } = await import('../src/scheduler.config.js');
  const { SchedulerModule } = await import('../src/scheduler.module.js');
  const app = await createServiceApp(validateSchedulerEnv, (config) => SchedulerModule.forRoot(config));
  await app.init();
  const nc = await connect({ servers: testNatsUrl() });
  const space = new SubjectSpace(prefix);
  const timers = new Set<NodeJS.Timeout>();
  const beat = (clusterId: string) => {
    const hb: ClusterHeartbeat = { schemaVersion: 1, clusterId, instanceId: `fake-${clusterId}`, sentAt: Date.now(), slots: 1, busySlots: 0, queueLength: 0, processed: 0 };
    nc.publish(space.subject('clusterHeartbeat', { clusterId }), encodeMessage(hb));
  };
  return {
    app,
    nc,
    space,
    prefix,
    async heartbeat(clusterId) {
      beat(clusterId);
      await nc.flush();
    },
    keepAlive(clusterIds, periodMs) {
      const all = () => clusterIds.forEach(beat);
      all();
      const timer = setInterval(all, periodMs);
      timers.add(timer);
      return () => {
        clearInterval(timer);
        timers.delete(timer);
      };
    },
    async close() {
      for (const t of timers) clearInterval(t);
      await (await jetstreamManager(nc)).streams.delete(space.streamName('records')).catch(() => {});
      await nc.close();
      await app.close();
    },
  };
}
