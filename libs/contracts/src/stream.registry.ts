const DAY_MS = 24 * 3600 * 1000;

/**
 * JetStream streams, relative to the deployment prefix (the stream name is made unique per prefix
 * by `SubjectSpace.streamName`). Each stream's subjects must cover the subjects of every durable
 * contract that names it (`CONTRACTS[key].stream`).
 *
 * Who creates what: every service that publishes to a stream or reads from it ensures the stream
 * (`MessageBus.ensureStream`, and `MessageBus.consume` does it itself), with this declaration, so a
 * publisher's messages are stored and acknowledged even before any consumer exists. Retention is by
 * limits (age), not by interest: what is published before a durable consumer is created is still
 * delivered to it, since durable consumers start from the stream's first message.
 */
export const STREAMS = {
  records: {
    name: 'RECORDS',
    subjects: ['record.>'],
    retention: 'limits',
    storage: 'file',
    /** Long enough for a metrics store that was down to catch up on restart. */
    maxAgeMs: 7 * DAY_MS,
    /** JetStream stores a message once per message id within this window (publishers retry with the same id). */
    duplicateWindowMs: 2 * 60 * 1000,
  },
} as const;

export type StreamName = keyof typeof STREAMS;

/**
 * Durable consumers. Only the service named `owner` creates its consumer, when it starts consuming
 * (`MessageBus.consume({ durable })`); nobody else creates or changes it. Every consumer acknowledges
 * each message explicitly and starts from the stream's first message.
 */
export const CONSUMERS = {
  metricsStore: {
    stream: 'records',
    durable: 'metrics-store',
    owner: 'metrics-store',
    /** A delivered message not acknowledged within this time is delivered again. */
    ackWaitMs: 10_000,
    /** Messages delivered and not yet acknowledged, at most (the owner's batches stay below it). */
    maxAckPending: 20_000,
  },
} as const satisfies Record<string, { stream: StreamName; durable: string; owner: string; ackWaitMs: number; maxAckPending: number }>;

export type ConsumerName = keyof typeof CONSUMERS;
