import { CONSUMERS, type SubjectSpace } from '@aset/contracts';

/**
 * Who connects to NATS in an ASET deployment. A worker principal names the clusters its process
 * hosts; every other principal is one service (every instance of it shares its credential).
 * `testbed` is the testbed's own connection (it records the host's load and follows the run clock).
 */
export type NatsPrincipal =
  | { readonly service: 'workload-generator' | 'scheduler' | 'metrics-store' | 'slo-alerter' | 'testbed' }
  | { readonly service: 'worker'; readonly clusters: readonly string[] };

/** What a user may publish and subscribe to, as nats-server's `permissions` block says it. */
export interface NatsPermissions {
  readonly publish: readonly string[];
  readonly subscribe: readonly string[];
  /** The user may answer the reply subject of each request it receives (once, within 2 minutes), whatever that subject is. */
  readonly allowResponses: boolean;
}

/**
 * The inbox of a connection authenticated by the nkey `publicKey`: `MessageBus.connect` uses it as
 * the connection's inbox prefix, and its user may subscribe to nothing else under `_INBOX`, so no
 * client can read another's replies.
 */
export function inboxPrefixOf(publicKey: string): string {
  return `_INBOX.${publicKey}`;
}

/** The inboxes a principal's permissions refer to: its own, and the generator's (where workers answer queries). */
export interface NatsInboxes {
  readonly self: string;
  readonly generator: string;
}

/**
 * Exactly what `principal` needs of NATS under `subjects`' prefix, NATS and JetStream machinery
 * included; nothing else. Each entry follows from what the service does through `MessageBus`:
 *
 * - workload generator: requests `query.schedule`; announces `run.*.clock`; ensures the records
 *   stream and publishes `record.run.*` and `record.query.*` to it (acks come to its inbox);
 * - scheduler: serves `query.schedule` (answering the generator's inbox when it drops a query or
 *   relays an answer), dispatches `cluster.*.infer` with reply subjects under its own inbox, hears
 *   `cluster.*.heartbeat`, publishes `record.decision.*` and reads `record.query.*` through an
 *   ordered consumer (created and pulled through `$JS.API`);
 * - worker of clusters C: serves `cluster.<c>.infer` and publishes `cluster.<c>.heartbeat` for c in
 *   C only; follows `run.*.clock`; answers the generator's inbox (the dispatch's `Aset-Reply-To`)
 *   or, with `allow_responses`, the reply subject of a dispatch;
 * - metrics store: hears `cluster.*.heartbeat`; owns the durable consumer `metrics-store` (info,
 *   create, pull, ack: nothing on other consumers);
 * - SLO alerter: reads the records stream through an ordered consumer;
 * - testbed: publishes its host record (`record.run.*`), follows `run.*.clock`, and reads the records
 *   stream back (stream info, ordered consumers, the metrics store's consumer info) to audit runs.
 *
 * Subscriptions to `_INBOX` are only to the principal's own inbox. JetStream API subjects are
 * allowed both as clients send them (`$JS.API.>`) and as a leaf node maps them (`$JS.hub.API.>`,
 * infra/nats/leaf-edge.conf), for a client of a leaf node.
 */
export function natsPermissions(subjects: SubjectSpace, principal: NatsPrincipal, inboxes: NatsInboxes): NatsPermissions {
  const stream = subjects.streamName('records');
  const own = `${inboxes.self}.>`;
  const answerGenerator = `${inboxes.generator}.>`;
  /** Ensures the records stream (MessageBus.ensureStream, and consume does it first). */
  const ensureStream = ['INFO', `STREAM.INFO.${stream}`, `STREAM.CREATE.${stream}`, `STREAM.UPDATE.${stream}`];
  /**
   * An ordered consumer of the records stream: ephemeral consumers of generated names. No delete:
   * the client deletes a replaced one only as best effort (the server drops it after 5 minutes
   * idle), and a delete right would let a reader delete the metrics store's durable consumer.
   */
  const orderedConsumer = [`CONSUMER.CREATE.${stream}.>`, `CONSUMER.INFO.${stream}.>`, `CONSUMER.MSG.NEXT.${stream}.>`];
  const durable = CONSUMERS.metricsStore.durable;
  const ownConsumer = [`CONSUMER.CREATE.${stream}.${durable}`, `CONSUMER.DURABLE.CREATE.${stream}.${durable}`, `CONSUMER.INFO.${stream}.${durable}`, `CONSUMER.MSG.NEXT.${stream}.${durable}`];
  const api = (calls: readonly string[]) => calls.flatMap((c) => [`$JS.API.${c}`, `$JS.hub.API.${c}`]);
  switch (principal.service) {
    case 'workload-generator':
      return {
        publish: [subjects.subject('scheduleQuery'), subjects.wildcard('runClock'), subjects.wildcard('runRecord'), subjects.wildcard('queryRecord'), ...api(ensureStream)],
        subscribe: [own],
        allowResponses: false,
      };
    case 'scheduler':
      return {
        publish: [subjects.wildcard('clusterInfer'), subjects.wildcard('decisionRecord'), answerGenerator, ...api([...ensureStream, ...orderedConsumer])],
        subscribe: [subjects.subject('scheduleQuery'), subjects.wildcard('clusterHeartbeat'), own],
        allowResponses: false,
      };
    case 'worker':
      if (principal.clusters.length === 0) throw new Error('a worker principal needs at least one cluster');
      return {
        publish: [...principal.clusters.map((clusterId) => subjects.subject('clusterHeartbeat', { clusterId })), answerGenerator],
        subscribe: [...principal.clusters.map((clusterId) => subjects.subject('clusterInfer', { clusterId })), subjects.wildcard('runClock'), own],
        allowResponses: true,
      };
    case 'metrics-store':
      return {
        publish: [...api([...ensureStream, ...ownConsumer]), `$JS.ACK.${stream}.${durable}.>`],
        subscribe: [subjects.wildcard('clusterHeartbeat'), own],
        allowResponses: false,
      };
    case 'slo-alerter':
      return { publish: api([...ensureStream, ...orderedConsumer]), subscribe: [own], allowResponses: false };
    case 'testbed':
      // Reads records back (audits: the stream's count per subject, an ordered read, which ensures the stream first, the store's backlog); writes only its host record.
      return {
        publish: [subjects.wildcard('runRecord'), ...api([...ensureStream, ...orderedConsumer, `CONSUMER.INFO.${stream}.${durable}`])],
        subscribe: [subjects.wildcard('runClock'), own],
        allowResponses: false,
      };
  }
}
