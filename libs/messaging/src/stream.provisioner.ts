import { AckPolicy, DeliverPolicy, RetentionPolicy, StorageType, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import { CONSUMERS, STREAMS, type ConsumerName, type StreamName, type SubjectSpace } from '@aset/contracts';

const NS_PER_MS = 1e6;

const RETENTION = { limits: RetentionPolicy.Limits } as const;
const STORAGE = { file: StorageType.File } as const;

/**
 * Creates the stream as `STREAMS[stream]` declares it, or updates it to the declaration.
 * Idempotent, and safe when several services do it at once.
 */
export async function ensureStream(jsm: JetStreamManager, subjects: SubjectSpace, stream: StreamName): Promise<void> {
  const declared = STREAMS[stream];
  const name = subjects.streamName(stream);
  const config: Partial<StreamConfig> & { name: string } = {
    name,
    subjects: subjects.streamSubjects(stream),
    retention: RETENTION[declared.retention],
    storage: STORAGE[declared.storage],
    max_age: declared.maxAgeMs * NS_PER_MS,
    duplicate_window: declared.duplicateWindowMs * NS_PER_MS,
  };
  try {
    await jsm.streams.info(name);
    await jsm.streams.update(name, config);
  } catch (e) {
    if (!isNotFound(e)) throw e;
    await ignoreRace(() => jsm.streams.add(config));
  }
}

/**
 * Creates the durable consumer `CONSUMERS[consumer]` declares when it does not exist (an existing
 * one is left as it is, with its position). Call it only from the consumer's owner. The stream must exist.
 */
export async function ensureDurableConsumer(jsm: JetStreamManager, subjects: SubjectSpace, consumer: ConsumerName): Promise<void> {
  const declared = CONSUMERS[consumer];
  const stream = subjects.streamName(declared.stream);
  try {
    await jsm.consumers.info(stream, declared.durable);
  } catch (e) {
    if (!isNotFound(e)) throw e;
    await ignoreRace(() =>
      jsm.consumers.add(stream, {
        durable_name: declared.durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: declared.ackWaitMs * NS_PER_MS,
        max_ack_pending: declared.maxAckPending,
      }),
    );
  }
}

/** Several services create the stream at once; losing the race to create it is fine. */
async function ignoreRace(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (e) {
    if (!(e instanceof Error && /already in use|already exists/i.test(e.message))) throw e;
  }
}

export function isNotFound(e: unknown): boolean {
  return e instanceof Error && /not found/i.test(e.message);
}
