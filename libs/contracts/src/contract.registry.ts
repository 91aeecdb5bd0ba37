import type { z } from 'zod';
import type { SubjectKey } from './subjects.map.js';
import type { StreamName } from './stream.registry.js';
import { DispatchedQuerySchema, InferenceQuerySchema, InferenceReplySchema } from './query.schema.js';
import { DecisionRecordSchema, QueryRecordSchema, RunRecordSchema } from './record.schema.js';
import { ClusterHeartbeatSchema } from './heartbeat.schema.js';
import { RunClockSchema } from './run-clock.schema.js';

/**
 * How each subject is used and what travels on it. Receivers validate with `message`;
 * request handlers answer with `reply` (or an ErrorReply, which `reply` includes).
 * - request: core NATS request-reply.
 * - event: core NATS publish; an invalid one is counted and dropped.
 * - durable: JetStream, on the stream `stream` (see STREAMS): acknowledged to the publisher once
 *   stored, consumed through JetStream consumers.
 */
export const CONTRACTS = {
  scheduleQuery: { kind: 'request', message: InferenceQuerySchema, reply: InferenceReplySchema },
  clusterInfer: { kind: 'request', message: DispatchedQuerySchema, reply: InferenceReplySchema },
  clusterHeartbeat: { kind: 'event', message: ClusterHeartbeatSchema },
  runClock: { kind: 'event', message: RunClockSchema },
  runRecord: { kind: 'durable', message: RunRecordSchema, stream: 'records' },
  queryRecord: { kind: 'durable', message: QueryRecordSchema, stream: 'records' },
  decisionRecord: { kind: 'durable', message: DecisionRecordSchema, stream: 'records' },
} as const satisfies Record<SubjectKey, { kind: 'request' | 'event' | 'durable'; message: z.ZodType; reply?: z.ZodType; stream?: StreamName }>;

export type Contracts = typeof CONTRACTS;
export type RequestKey = { [K in SubjectKey]: Contracts[K]['kind'] extends 'request' ? K : never }[SubjectKey];
export type EventKey = { [K in SubjectKey]: Contracts[K]['kind'] extends 'event' ? K : never }[SubjectKey];
export type DurableKey = { [K in SubjectKey]: Contracts[K]['kind'] extends 'durable' ? K : never }[SubjectKey];

/** The validated message type of a subject. */
export type MessageOf<K extends SubjectKey> = z.infer<Contracts[K]['message']>;
/** The reply type of a request subject. */
export type ReplyOf<K extends RequestKey> = z.infer<Contracts[K]['reply']>;
