import { AckPolicy, DeliverPolicy, RetentionPolicy, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import { CONSUMERS, type SubjectSpace } from '@aset/contracts';

const DAY_NS = 24 * 3600 * 1e9;

/**
 * Creates (or updates) the records stream and the metrics store's durable consumer.
 * Idempotent; every service that publishes or consumes records calls it at start.
 * Records are kept `maxAgeDays` so that a store that was down catches up on restart.
 */
export async function ensureRecordStream(jsm: JetStreamManager, subjects: SubjectSpace, maxAgeDays = 7): Promise<void> {
  const name = subjects.streamName('records');
  const config = {
    name,
    subjects: subjects.streamSubjects('records'),
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_age: maxAgeDays * DAY_NS,
    duplicate_window: 2 * 60 * 1e9,
  };
  try {
    await jsm.streams.info(name);
    await jsm.streams.update(name, config);
  } catch (e) {
    if (!isNotFound(e)) throw e;
    await ignoreRace(() => jsm.streams.add(config));
  }
  const durable = CONSUMERS.metricsStore.durable;
  try {
    await jsm.consumers.info(name, durable);
  } catch (e) {
    if (!isNotFound(e)) throw e;
    await ignoreRace(() => jsm.consumers.add(name, {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: 10 * 1e9,
      max_ack_pending: 20_000,
    }));
  }
}

/** Several services ensure the stream at once; losing the race to create it is fine. */
async function ignoreRace(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (e) {
    if (!(e instanceof Error && /already in use|already exists/i.test(e.message))) throw e;
  }
}

function isNotFound(e: unknown): boolean {
  return e instanceof Error && /not found/i.test(e.message);
}
