import { STREAMS, type StreamName } from './stream.registry.js';

/**
 * Every NATS subject of ASET, relative to a deployment prefix (default `aset`).
 * `{name}` marks a single-token parameter; fill it with {@link SubjectSpace}.
 * Renaming an entry here is a wire change: bump the schemaVersion of its messages.
 */
export const SUBJECTS = {
  /** Request: an {@link InferenceQuery} to the scheduler; answered (possibly by a worker) with an InferenceReply. */
  scheduleQuery: 'query.schedule',
  /** Request: a {@link DispatchedQuery} to the workers of one cluster (queue group per cluster). */
  clusterInfer: 'cluster.{clusterId}.infer',
  /** Event: a ClusterHeartbeat from a worker. */
  clusterHeartbeat: 'cluster.{clusterId}.heartbeat',
  /** Event: a RunClock from the workload generator: when the run's scenario time starts, while it goes. */
  runClock: 'run.{runId}.clock',
  /** JetStream: a RunRecord (run started / finished). */
  runRecord: 'record.run.{runId}',
  /** JetStream: one QueryRecord per query, written once it reached its terminal state. */
  queryRecord: 'record.query.{runId}',
  /** JetStream: a DecisionRecord when an adaptive scheduler (aset) changes or confirms its choice for a step. */
  decisionRecord: 'record.decision.{runId}',
} as const;

export type SubjectKey = keyof typeof SUBJECTS;

/**
 * Header on a request that names where its answer goes instead of the message's reply subject.
 * The scheduler dispatches each query to `cluster.<id>.infer` with its own reply subject (to learn
 * at once when no worker listens: the server's "no responders" status goes to the publisher's reply
 * subject) and this header set to the generator's, so that workers answer the generator directly.
 * A responder that ignores it answers the scheduler, which relays the answer unchanged.
 */
export const REPLY_TO_HEADER = 'Aset-Reply-To';

type ParamNames<T extends string> = T extends `${string}{${infer P}}${infer Rest}` ? P | ParamNames<Rest> : never;

/** The parameters a subject template needs, e.g. `{ clusterId: string }`. */
export type SubjectParams<K extends SubjectKey> = { [P in ParamNames<(typeof SUBJECTS)[K]>]: string };

/** A subject token: no dots, spaces or wildcards. */
export const SUBJECT_TOKEN = /^[A-Za-z0-9_-]+$/;

/** Valid prefix: one or more tokens separated by dots. */
export const SUBJECT_PREFIX = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/**
 * Concrete subjects under one prefix. Tests use their own prefix so that runs never collide.
 * Throws on a malformed prefix or parameter: those are programming errors, not input.
 */
export class SubjectSpace {
  constructor(readonly prefix: string) {
    if (!SUBJECT_PREFIX.test(prefix)) {
      throw new Error(`invalid subject prefix ${JSON.stringify(prefix)}: expected dot-separated tokens of [A-Za-z0-9_-]`);
    }
  }

  subject<K extends SubjectKey>(key: K, ...args: keyof SubjectParams<K> extends never ? [] : [SubjectParams<K>]): string {
    const params = (args[0] ?? {}) as Record<string, string>;
    const body = SUBJECTS[key].replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = params[name];
      if (value === undefined || !SUBJECT_TOKEN.test(value)) {
        throw new Error(`subject ${key}: parameter ${name}=${JSON.stringify(value)} is not a subject token`);
      }
      return value;
    });
    return `${this.prefix}.${body}`;
  }

  /** The subject with every parameter replaced by `*`, for subscriptions across clusters or runs. */
  wildcard(key: SubjectKey): string {
    return `${this.prefix}.${SUBJECTS[key].replace(/\{\w+\}/g, '*')}`;
  }

  /** True when `subject` is an instance of the template `key` under this prefix. */
  matches(key: SubjectKey, subject: string): boolean {
    const pattern = (this.patterns[key] ??= new RegExp(
      `^${this.prefix.replace(/\./g, '\\.')}\\.${SUBJECTS[key].replace(/\./g, '\\.').replace(/\{\w+\}/g, '[A-Za-z0-9_-]+')}$`,
    ));
    return pattern.test(subject);
  }

  private readonly patterns: Partial<Record<SubjectKey, RegExp>> = {};

  /** Stream name, made unique per prefix so that two deployments on one server do not share a stream. */
  streamName(stream: StreamName): string {
    return `${this.prefix.replace(/[.-]/g, '_').toUpperCase()}_${STREAMS[stream].name}`;
  }

  streamSubjects(stream: StreamName): string[] {
    return STREAMS[stream].subjects.map((s) => `${this.prefix}.${s}`);
  }
}
