import { connect, headers, nkeyAuthenticator, type MsgHdrs, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { DeliverPolicy, jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import {
  CONSUMERS,
  CONTRACTS,
  ERROR_CODES,
  ERROR_HEADERS,
  REPLY_TO_HEADER,
  SubjectSpace,
  decodeMessage,
  encodeMessage,
  errorReplyOf,
  type ConsumerName,
  type DurableKey,
  type ErrorCode,
  type ErrorReply,
  type EventKey,
  type MessageOf,
  type ReplyOf,
  type RequestKey,
  type StreamName,
  type SubjectKey,
  type SubjectParams,
} from '@aset/contracts';
import { BusStats } from './bus.stats.js';
import { consoleBusLogger, type BusLogger } from './bus.logger.js';
import { RequestDispatcher, isLiteralSubject, type NoRespondersHandler } from './request.dispatcher.js';
import { FORWARDED, UNANSWERED, type IncomingRequest, type NoReply, type RequestHandler } from './request.handler.js';
import { AckableDelivery, RefusedSequences, UnackedDelivery, type Delivery, type RefusalCounter } from './stream.delivery.js';
import { ensureDurableConsumer, ensureStream, isNotFound } from './stream.provisioner.js';
import { RequestMux } from './request.mux.js';
import { SubjectResolver, type ParamsArg, type WithParams } from './subject.resolver.js';
import type { NatsIdentity } from './nats.credentials.js';
import { inboxPrefixOf } from './nats.permissions.js';

export interface BusOptions {
  /** NATS server URL(s), comma-separated. */
  servers: string;
  /** Connection name shown by the server (`nats server report connections`). */
  name: string;
  /** Subject prefix (the deployment's, `NATS_PREFIX`); tests use their own so that runs never collide. */
  prefix: string;
  logger?: BusLogger;
  /**
   * Authenticate as this nkey user (`readNkeySeedFile`). The connection's inboxes are then under
   * `inboxPrefixOf(publicKey)`, the only part of `_INBOX` its user may subscribe to.
   */
  identity?: NatsIdentity;
  /** Connect over TLS, verifying the server against `caFile`; with `certFile` and `keyFile`, present that client certificate. */
  tls?: NatsTls;
}

/** TLS settings of a connection: PEM files. */
export interface NatsTls {
  readonly caFile: string;
  readonly certFile?: string;
  readonly keyFile?: string;
}

/** How long the first connection may take, handshake (TLS, authentication) included. */
const CONNECT_TIMEOUT_MS = 60_000;

/** How long a durable publish waits for JetStream's acknowledgement (nats.js's default for JetStream calls). */
export const DURABLE_PUBLISH_TIMEOUT_MS = 5_000;

/** JetStream's message id header: a publish repeated with the same id within the stream's duplicate window is stored once. */
const MSG_ID_HEADER = 'Nats-Msg-Id';

/** A subscription made by {@link MessageBus.serve} or {@link MessageBus.subscribe}. */
export interface BusSubscription {
  /** Stops receiving at once; messages already received still run. */
  unsubscribe(): void;
}

export interface ServeOptions {
  /** Queue group: requests are spread over the subscribers that share it. */
  queue?: string;
}

/** The outcome of a request: the validated reply, or why there is none. Never throws for these. */
export type RequestOutcome<R> =
  | { ok: true; reply: R }
  | { ok: false; failure: 'timeout' | 'no-responders' | 'invalid-reply' | 'connection'; message: string };

/**
 * Where {@link MessageBus.consume} reads from: the durable consumer `CONSUMERS[durable]` (created by
 * the first `consume` of its owner, and acknowledged message by message), or an ordered consumer of
 * its own (ephemeral, nothing to acknowledge) from the stream's next message (`new`) or first (`all`).
 */
export type ConsumerSource = { readonly durable: ConsumerName } | { readonly ordered: { readonly deliver: 'new' | 'all' } };

/**
 * A handler per contract key consumed: it gets the validated message and its {@link Delivery}.
 * Runs on the connection's callback, in delivery order. A handler that throws is a bug: it is
 * logged and the message is left unsettled (a durable consumer delivers it again after its ack wait).
 */
export type ConsumeHandlers<K extends DurableKey> = { readonly [P in K]: (message: MessageOf<P>, delivery: Delivery) => void };

/** A message {@link MessageBus.consume} refused: counted as invalid under its subject, logged, and terminated. */
export interface Refusal<K extends DurableKey> {
  readonly subject: string;
  /** The key whose contract it broke; undefined when no handler takes its subject. */
  readonly key: K | undefined;
  readonly why: string;
}

export interface ConsumeOptions<K extends DurableKey> {
  /** Messages kept requested ahead of the handlers (the durable consumer's max_ack_pending bounds it too). */
  pullAhead?: number;
  /** Told of each stored message refused, after the bus counted it (for a consumer's own counters); once, not again for a redelivery of it. */
  onRefused?: (refusal: Refusal<K>) => void;
}

/** A running {@link MessageBus.consume}. */
export interface Consumption {
  /** Stops pulling. Deliveries already handed out can still be settled while the bus is open. */
  close(): Promise<void>;
}

/** A durable consumer's position, as the server reports it. */
export interface ConsumerState {
  /** Messages not yet delivered. */
  pending: number;
  /** Messages delivered and not yet acknowledged. */
  ackPending: number;
  /** Messages delivered more than once and not yet acknowledged. */
  redelivered: number;
  /** The stream sequence up to which every message is acknowledged (0: none). */
  ackFloor: number;
  /** Deliveries so far, redeliveries included. */
  delivered: number;
}

/**
 * The only way ASET services touch NATS, JetStream included. Every call names a contract key
 * (`CONTRACTS`); the key picks the subject under the bus's prefix (`SUBJECTS`), filled with the
 * call's parameters when the subject has any (e.g. `serve('clusterInfer', { clusterId }, ...)`,
 * `request('scheduleQuery', query, timeoutMs)`). Every receive edge decodes and validates against the
 * key's contract: an invalid request gets a typed ErrorReply; an invalid event or record is counted
 * in {@link stats}, logged and dropped (a record terminated). Nothing here throws on bad input from the wire.
 *
 * Requests a service passes on to another: {@link dispatcher} (the scheduler's path to the
 * workers) learns at once when nobody listens on the target subject while the target still answers
 * the original requester directly; {@link forward} only publishes with the requester's reply
 * subject, so a missing responder goes unnoticed (the NATS server reports "no responders" only to
 * a publisher subscribed to the reply subject) and the requester waits out its timeout.
 *
 * JetStream: streams are declared in `STREAMS`, durable consumers in `CONSUMERS`. A service that
 * publishes records ensures their stream first ({@link ensureStream}); {@link consume} ensures its
 * stream itself and, for a durable consumer, creates it: call that only from the consumer's owner.
 */
export class MessageBus {
  readonly stats = new BusStats();
  private readonly dispatchers: { close(): void }[] = [];
  private readonly resolver: SubjectResolver;
  private jsClient?: JetStreamClient;
  private jsManager?: JetStreamManager;
  /** Requests and durable publishes: their replies and acknowledgements come to one inbox subscription. */
  private readonly requests: RequestMux;
  /** Answers waiting for the end of this event-loop turn (see {@link sendReply}). */
  private readonly pendingReplies: { replyTo: string; data: Uint8Array; headers: MsgHdrs | undefined }[] = [];
  private repliesScheduled = false;

  private constructor(
    private readonly nc: NatsConnection,
    readonly subjects: SubjectSpace,
    private readonly logger: BusLogger,
    /** The connection's inbox prefix when it is not the default `_INBOX`. */
    private readonly inboxPrefix: string | undefined,
  ) {
    this.resolver = new SubjectResolver(subjects);
    this.requests = new RequestMux(nc, inboxPrefix, logger);
  }

  /** Connects; fails with a message naming the server when it cannot be reached. */
  static async connect(options: BusOptions): Promise<MessageBus> {
    const subjects = new SubjectSpace(options.prefix);
    const logger = options.logger ?? consoleBusLogger;
    let nc: NatsConnection;
    try {
      nc = await connect({
        servers: options.servers.split(',').map((s) => s.trim()),
        name: options.name,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 500,
        // nats.js waits up to 1 s more between reconnect attempts over TLS (100 ms without), against
        // a herd of clients; a deployment has a handful per server, and every second counts after a
        // server restart (the chaos spec's nats-restart).
        reconnectJitterTLS: 250,
        // A server that is not there refuses at once; this bounds a slow handshake (TLS takes more
        // round trips than plain TCP, each waiting for a busy process's event loop).
        timeout: CONNECT_TIMEOUT_MS,
        // nats.js otherwise builds an Error (a stack capture) for every request and every request
        // timer, in case it fails: 9.5% of the generator's CPU in bench:pipeline. The bus reports
        // failures as values naming the subject, which need no async stack.
        noAsyncTraces: true,
        ...(options.identity ? { authenticator: nkeyAuthenticator(options.identity.seed), inboxPrefix: inboxPrefixOf(options.identity.publicKey) } : {}),
        ...(options.tls ? { tls: { ...options.tls } } : {}),
      });
    } catch (e) {
      throw new Error(`cannot connect to NATS at ${options.servers}: ${e instanceof Error ? e.message : String(e)}`);
    }
    const bus = new MessageBus(nc, subjects, logger, options.identity ? inboxPrefixOf(options.identity.publicKey) : undefined);
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect' || s.type === 'reconnect') logger.warn(`NATS ${s.type} (${options.name})`);
        else if (s.type === 'error') {
          // E.g. a permissions violation: the server refused a publish or subscription of this user.
          logger.error(`NATS server error (${options.name}): ${s.error.message}`);
          const refusal = publishRefusalOf(s.error);
          if (refusal) bus.requests.refused(refusal.subject, s.error.message);
        }
      }
    })();
    return bus;
  }

  /** The concrete subject of `key` under this bus's prefix (for logs, metrics labels and tests). */
  subject<K extends SubjectKey>(key: K, ...params: ParamsArg<K>): string {
    return this.resolver.subject(key, params[0]);
  }

  /** The server this bus is connected to (`host:port`). */
  get server(): string {
    return this.nc.getServer();
  }

  /** The connected server's version, once known. */
  get serverVersion(): string | undefined {
    return this.nc.info?.version;
  }

  /** True once the bus was closed (or the connection given up); it never reopens. */
  isClosed(): boolean {
    return this.nc.isClosed();
  }

  /**
   * Serves the request subject of `key`. Handlers run concurrently; `queue` spreads requests over
   * the instances that share it. `close()` drains the subscription with the bus. Answers go out at
   * the end of the event-loop turn in which they are ready, together with every other answer ready
   * by then: one socket write for all of them.
   */
  serve<K extends RequestKey>(key: K, ...args: WithParams<K, [handler: RequestHandler<K>, options?: ServeOptions]>): BusSubscription {
    const [subject, handler, options] = this.split<K, [RequestHandler<K>, ServeOptions | undefined]>(key, args);
    const schema = CONTRACTS[key].message;
    return this.nc.subscribe(subject, {
      ...(options?.queue ? { queue: options.queue } : {}),
      callback: (err, msg) => {
        if (err) {
          this.logger.error(`subscription ${subject} failed: ${err.message}`);
          return;
        }
        const replyTo = replyTarget(msg);
        const decoded = decodeMessage(schema, msg.data, msg.subject);
        if (!decoded.ok) {
          this.stats.count(this.stats.invalid, msg.subject);
          this.replyError(msg.subject, replyTo, errorReplyOf(decoded));
          return;
        }
        const request: IncomingRequest = { subject: msg.subject, replyTo };
        let result: ReturnType<RequestHandler<K>>;
        try {
          result = handler(decoded.value as MessageOf<K>, request);
        } catch (e) {
          this.replyInternal(msg.subject, replyTo, e);
          return;
        }
        if (result instanceof Promise) {
          result.then(
            (r) => this.finish(msg.subject, replyTo, r),
            (e: unknown) => this.replyInternal(msg.subject, replyTo, e),
          );
        } else {
          this.finish(msg.subject, replyTo, result);
        }
      },
    });
  }

  /** Sends a request to the subject of `key` and validates the reply against its contract. */
  request<K extends RequestKey>(key: K, ...args: WithParams<K, [message: MessageOf<K>, timeoutMs: number]>): Promise<RequestOutcome<ReplyOf<K>>> {
    // In the executor, so that what it throws rejects.
    return new Promise((resolve) => {
      const [subject, message, timeoutMs] = this.split<K, [MessageOf<K>, number]>(key, args);
      this.requests.request(subject, encodeMessage(message), timeoutMs, (outcome) => {
        if (!outcome.ok) {
          resolve(outcome);
          return;
        }
        const decoded = decodeMessage(CONTRACTS[key].reply, outcome.msg.data, `reply from ${subject}`);
        if (!decoded.ok) {
          this.stats.count(this.stats.invalid, `reply:${subject}`);
          resolve({ ok: false, failure: 'invalid-reply', message: decoded.message });
          return;
        }
        resolve({ ok: true, reply: decoded.value as ReplyOf<K> });
      });
    });
  }

  /**
   * Publishes a request to the subject of `key` on behalf of the original requester, so that
   * the downstream service answers the requester directly. Not re-validated here (it is typed, and
   * the receiver validates). Nobody learns when no service listens on the subject: the requester
   * times out. Prefer {@link dispatcher} when that matters.
   */
  forward<K extends RequestKey>(key: K, ...args: WithParams<K, [message: MessageOf<K>, replyTo: string | undefined]>): void {
    const [subject, message, replyTo] = this.split<K, [MessageOf<K>, string | undefined]>(key, args);
    this.nc.publish(subject, encodeMessage(message), replyTo ? { reply: replyTo } : undefined);
  }

  /**
   * A dispatcher of `key` requests on behalf of their requesters: its `send` publishes so that the
   * target answers the requester directly, and `onNoResponders` hears at once of every dispatch
   * nobody listened to, and returns the requester's answer or dispatches again (see
   * {@link RequestDispatcher}). One inbox subscription each; closed with the bus.
   */
  dispatcher<K extends RequestKey>(key: K, onNoResponders: NoRespondersHandler<K>): RequestDispatcher<K> {
    const dispatcher = new RequestDispatcher(
      key,
      {
        nc: this.nc,
        ...(this.inboxPrefix ? { inboxPrefix: this.inboxPrefix } : {}),
        logger: this.logger,
        subjects: this.resolver,
        noteInvalid: (subject, why) => this.noteInvalid(subject, why),
        answer: (subject, replyTo, reply) => this.answer(subject, replyTo, reply),
      },
      onNoResponders,
    );
    this.dispatchers.push(dispatcher);
    return dispatcher;
  }

  /** Publishes an event on the subject of `key`. */
  publish<K extends EventKey>(key: K, ...args: WithParams<K, [message: MessageOf<K>]>): void {
    const [subject, message] = this.split<K, [MessageOf<K>]>(key, args);
    this.nc.publish(subject, encodeMessage(message));
  }

  /**
   * Subscribes to the events of `key`, for every value of its subject's parameters (e.g. the
   * heartbeats of every cluster). Invalid ones are counted under their subject, logged (first few)
   * and dropped; a handler that throws is logged.
   */
  subscribe<K extends EventKey>(key: K, handler: (message: MessageOf<K>, subject: string) => void): BusSubscription {
    const schema = CONTRACTS[key].message;
    return this.nc.subscribe(this.subjects.wildcard(key), {
      callback: (err, msg) => {
        if (err) return;
        const decoded = decodeMessage(schema, msg.data, msg.subject);
        if (!decoded.ok) {
          this.noteInvalid(msg.subject, decoded.message);
          return;
        }
        this.stats.count(this.stats.handled, msg.subject);
        try {
          handler(decoded.value as MessageOf<K>, msg.subject);
        } catch (e) {
          this.logger.error(`event handler for ${msg.subject} threw: ${describe(e)}`);
        }
      },
    });
  }

  /**
   * Counts and logs a refused message: the bus does so for what breaks a contract; a service calls
   * it for a valid message it cannot use (e.g. naming a cluster it does not know). Logs the first 20
   * per subject, then every 1000th.
   */
  noteInvalid(subject: string, why: string): void {
    this.stats.count(this.stats.invalid, subject);
    const n = this.stats.invalid.get(subject) ?? 0;
    if (n <= 20 || n % 1000 === 0) this.logger.warn(`dropped invalid message #${n} on ${subject}: ${why}`);
  }

  /**
   * Creates the stream as `STREAMS[stream]` declares it, or updates it to the declaration.
   * Idempotent, and safe concurrently. A service that publishes to the stream calls it before its
   * first {@link publishDurable}, so that its messages are stored whether or not a consumer exists.
   */
  async ensureStream(stream: StreamName): Promise<void> {
    await ensureStream(await this.jsm(), this.subjects, stream);
  }

  /**
   * Publishes to JetStream on the subject of `key` and waits for the server's ack. `msgId` makes
   * retries idempotent (within the stream's duplicate window). Rejects when the message was not
   * stored (no stream, the stream's refusal, no ack within {@link DURABLE_PUBLISH_TIMEOUT_MS},
   * connection): the caller retries or gives up. The message is published before this returns, so
   * the publishes of one synchronous loop leave in one socket write.
   */
  publishDurable<K extends DurableKey>(key: K, ...args: WithParams<K, [message: MessageOf<K>, msgId: string]>): Promise<void> {
    // In the executor, so that what it throws rejects.
    return new Promise((resolve, reject) => {
      const [subject, message, msgId] = this.split<K, [MessageOf<K>, string]>(key, args);
      const h = headers();
      h.set(MSG_ID_HEADER, msgId);
      this.requests.request(
        subject,
        encodeMessage(message),
        DURABLE_PUBLISH_TIMEOUT_MS,
        (outcome) => {
          const refusal = outcome.ok ? refusalOfAck(outcome.msg.data) : outcome.failure === 'no-responders' ? 'no stream stores this subject' : outcome.message;
          if (refusal === undefined) resolve();
          else reject(new Error(`JetStream publish to ${subject} (${msgId}) not stored: ${refusal}`));
        },
        h,
      );
    });
  }

  /**
   * Consumes the messages of the keys in `handlers` from their stream (one stream for all of them),
   * through `source`. Ensures the stream; for a durable source, creates the durable consumer when it
   * does not exist (only its owner may call this). Each message is decoded and validated against its
   * key's contract, then handed to that key's handler with its {@link Delivery}. A message that
   * breaks its contract, or whose subject no handler takes, is counted in {@link stats} under its
   * subject, logged, terminated and reported to `onRefused`. An ordered source filters the stream to
   * the handlers' subjects (several keys need nats-server 2.10); a durable one gets what its consumer
   * delivers (for `metricsStore`, the whole stream).
   */
  async consume<K extends DurableKey>(source: ConsumerSource, handlers: ConsumeHandlers<K>, options: ConsumeOptions<K> = {}): Promise<Consumption> {
    const keys = Object.keys(handlers) as K[];
    const stream = streamOfKeys(keys);
    if ('durable' in source && CONSUMERS[source.durable].stream !== stream) {
      throw new Error(`consumer ${source.durable} reads stream ${CONSUMERS[source.durable].stream}, not ${stream}`);
    }
    const jsm = await this.jsm();
    await ensureStream(jsm, this.subjects, stream);
    const streamName = this.subjects.streamName(stream);
    let consumer;
    if ('durable' in source) {
      await ensureDurableConsumer(jsm, this.subjects, source.durable);
      consumer = await this.js().consumers.get(streamName, CONSUMERS[source.durable].durable);
    } else {
      const filters = keys.map((k) => this.subjects.wildcard(k));
      consumer = await this.js().consumers.get(streamName, {
        // A single subject when there is one: multi-subject filters need nats-server 2.10.
        filter_subjects: filters.length === 1 ? (filters[0] as string) : filters,
        deliver_policy: source.ordered.deliver === 'new' ? DeliverPolicy.New : DeliverPolicy.All,
      });
    }
    const receive = this.receiver(keys, handlers, 'durable' in source, options.onRefused);
    const messages = await consumer.consume({ ...(options.pullAhead !== undefined ? { max_messages: options.pullAhead } : {}), callback: receive });
    return {
      close: async () => {
        await messages.close();
      },
    };
  }

  /** The position of durable consumer `consumer`. Rejects when it does not exist yet. */
  async consumerState(consumer: ConsumerName): Promise<ConsumerState> {
    const declared = CONSUMERS[consumer];
    const info = await (await this.jsm()).consumers.info(this.subjects.streamName(declared.stream), declared.durable);
    return {
      pending: info.num_pending,
      ackPending: info.num_ack_pending,
      redelivered: info.num_redelivered,
      ackFloor: info.ack_floor.stream_seq,
      delivered: info.delivered.consumer_seq,
    };
  }

  /**
   * How many messages the stream of `key` holds on the concrete subject of `key` with `params` (e.g.
   * the query records of one run): what an auditor compares with the distinct ids stored downstream
   * to tell a duplicate that reached the stream. Rejects when the stream does not exist.
   */
  async storedCount<K extends DurableKey>(key: K, ...args: WithParams<K, []>): Promise<number> {
    const [subject] = this.split<K, []>(key, args);
    const info = await (await this.jsm()).streams.info(this.subjects.streamName(streamOfKeys([key])), { subjects_filter: subject });
    return info.state.subjects?.[subject] ?? 0;
  }

  /**
   * Deletes the stream under this bus's prefix, its messages and consumers with it; false when there
   * was none. For tests and benchmarks, on a prefix of their own.
   */
  async deleteStream(stream: StreamName): Promise<boolean> {
    try {
      return await (await this.jsm()).streams.delete(this.subjects.streamName(stream));
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }

  /**
   * Resolves once the server has processed everything this connection sent before the call,
   * subscriptions included. A caller that serves a subject and then expects another connection
   * to reach it at once (a test, a readiness probe) must await this first: NATS orders messages
   * per connection only, so without it the other connection may still get "no responders".
   */
  async flush(): Promise<void> {
    await this.nc.flush();
  }

  /**
   * Flushes pending publishes, drains subscriptions and closes. Safe to call twice. Requests and
   * durable publishes still waiting for their answer fail (`connection`).
   */
  async close(): Promise<void> {
    // Answers queued for this turn's end go out now: the drain's last PONG could be read before that end comes.
    this.sendPendingReplies();
    for (const d of this.dispatchers.splice(0)) d.close();
    if (this.nc.isClosed()) {
      this.requests.close();
      return;
    }
    try {
      await this.nc.drain();
    } catch {
      await this.nc.close();
    }
    this.requests.close();
  }

  private js(): JetStreamClient {
    this.jsClient ??= jetstream(this.nc);
    return this.jsClient;
  }

  private async jsm(): Promise<JetStreamManager> {
    this.jsManager ??= await jetstreamManager(this.nc);
    return this.jsManager;
  }

  /** The subject of a call on `key` and the arguments after its parameters. */
  private split<K extends SubjectKey, Rest extends unknown[]>(key: K, args: readonly unknown[]): [string, ...Rest] {
    const p = this.resolver.paramCount(key);
    const subject = this.resolver.subject(key, p === 0 ? undefined : (args[0] as SubjectParams<K>));
    return [subject, ...(p === 0 ? args : args.slice(p))] as [string, ...Rest];
  }

  /** The callback of a consumer: route by subject (cached), decode, validate, hand over or refuse. */
  private receiver<K extends DurableKey>(keys: readonly K[], handlers: ConsumeHandlers<K>, ackable: boolean, onRefused: ConsumeOptions<K>['onRefused']): (m: JsMsg) => void {
    /** By subject; its values' `subject` is the one string every delivery on that subject shares. */
    const routes = new Map<string, { key: K | undefined; subject: string }>();
    const routeOf = (subject: string) => {
      let route = routes.get(subject);
      if (route === undefined) {
        route = { key: keys.find((k) => this.subjects.matches(k, subject)), subject };
        if (routes.size >= 10_000) routes.clear();
        routes.set(subject, route);
      }
      return route;
    };
    // Counts each stored message refused once, whether the bus refused it (below) or a handler did.
    const refused = new RefusedSequences();
    const refusals: RefusalCounter = {
      refuse: (subject, sequence, why) => {
        if (!refused.first(sequence)) return false;
        this.noteInvalid(subject, why);
        return true;
      },
    };
    const refuse = (delivery: Delivery, key: K | undefined, why: string) => {
      if (delivery.refuse(why)) onRefused?.({ subject: delivery.subject, key, why });
    };
    return (m) => {
      const { key, subject } = routeOf(m.subject);
      const delivery = ackable ? new AckableDelivery(subject, m, this.nc, refusals) : new UnackedDelivery(subject, refusals);
      if (key === undefined) return refuse(delivery, undefined, `${subject}: no handler for this subject`);
      const decoded = decodeMessage(CONTRACTS[key].message, m.data, subject);
      if (!decoded.ok) return refuse(delivery, key, decoded.message);
      try {
        (handlers[key] as (message: unknown, delivery: Delivery) => void)(decoded.value, delivery);
      } catch (e) {
        this.logger.error(`consumer handler for ${subject} threw: ${describe(e)}`);
      }
    };
  }

  private finish<K extends RequestKey>(subject: string, replyTo: string | undefined, result: ReplyOf<K> | NoReply): void {
    this.stats.count(this.stats.handled, subject);
    if (result === FORWARDED || result === UNANSWERED) return;
    this.answer(subject, replyTo, result);
  }

  /** Sends a reply to a request on `subject`: an ErrorReply with its error headers (and counted). */
  private answer(subject: string, replyTo: string | undefined, reply: ReplyOf<RequestKey>): void {
    if (reply.status === 'error') {
      this.replyError(subject, replyTo, reply);
      return;
    }
    if (replyTo) this.sendReply(replyTo, encodeMessage(reply));
  }

  private replyInternal(subject: string, replyTo: string | undefined, e: unknown): void {
    this.logger.error(`handler for ${subject} threw: ${describe(e)}`);
    this.replyError(subject, replyTo, { schemaVersion: 1, status: 'error', code: 'INTERNAL', message: `${subject}: internal error` });
  }

  private replyError(subject: string, replyTo: string | undefined, reply: ErrorReply): void {
    this.stats.count(this.stats.errorReplies, `${subject}|${reply.code}`);
    if (!replyTo) return;
    const h = headers();
    h.set(ERROR_HEADERS.code, String(ERROR_CODES[reply.code as ErrorCode]));
    h.set(ERROR_HEADERS.description, `${reply.code}: ${reply.message}`.slice(0, 512).replace(/[\r\n]+/g, ' '));
    this.sendReply(replyTo, encodeMessage(reply), h);
  }

  /**
   * Queues an answer for the end of this event-loop turn (`setImmediate`), where every answer queued
   * meanwhile is published in one synchronous loop: one socket write for all of them. Answers
   * completed in separate turns of the loop (each inference of the worker's event loop is one) would
   * otherwise each be a write of their own. `close()` publishes those still queued.
   */
  private sendReply(replyTo: string, data: Uint8Array, h?: MsgHdrs): void {
    this.pendingReplies.push({ replyTo, data, headers: h });
    if (this.repliesScheduled) return;
    this.repliesScheduled = true;
    setImmediate(this.sendPendingReplies);
  }

  /** Publishes the queued answers; a closed connection or a malformed reply subject is logged, never thrown. */
  private readonly sendPendingReplies = (): void => {
    this.repliesScheduled = false;
    const replies = this.pendingReplies.splice(0);
    if (replies.length === 0) return;
    this.stats.answers += replies.length;
    this.stats.answerBatches++;
    for (const { replyTo, data, headers: h } of replies) {
      try {
        this.nc.publish(replyTo, data, h ? { headers: h } : undefined);
      } catch (e) {
        this.logger.warn(`reply to ${replyTo.slice(0, 200)} not sent: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  };
}

/** The one stream that carries every key in `keys`. Throws on none or several (a programming error). */
function streamOfKeys(keys: readonly DurableKey[]): StreamName {
  const streams = new Set(keys.map((k) => CONTRACTS[k].stream));
  const [stream] = streams;
  if (streams.size !== 1 || stream === undefined) throw new Error(`consume: the keys ${keys.join(', ')} must all be on one stream`);
  return stream;
}

/** Where a request's answer goes: its REPLY_TO_HEADER header when that is a literal subject, else its reply subject. */
function replyTarget(msg: Msg): string | undefined {
  const header = msg.headers?.get(REPLY_TO_HEADER);
  return header && isLiteralSubject(header) ? header : msg.reply;
}

function describe(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}

/** The subject of a publish the server refused for the user's permissions (nats.js's PermissionViolationError), if `e` is one. */
function publishRefusalOf(e: Error): { subject: string } | undefined {
  const v = e as Error & { operation?: unknown; subject?: unknown };
  return e.name === 'PermissionViolationError' && v.operation === 'publish' && typeof v.subject === 'string' ? { subject: v.subject } : undefined;
}

const ackDecoder = new TextDecoder();

/**
 * Why JetStream did not store a message, from its acknowledgement (`{"stream":...,"seq":...}`,
 * `"duplicate":true` for a message id it stored already, or `{"error":{...}}`); undefined when stored.
 */
function refusalOfAck(data: Uint8Array): string | undefined {
  let ack: { stream?: unknown; error?: { code?: unknown; err_code?: unknown; description?: unknown } };
  try {
    ack = JSON.parse(ackDecoder.decode(data)) as typeof ack;
  } catch {
    return 'the acknowledgement is not JSON';
  }
  if (ack.error) return `${String(ack.error.description)} (${String(ack.error.code)}, ${String(ack.error.err_code)})`;
  return typeof ack.stream === 'string' && ack.stream.length > 0 ? undefined : 'the acknowledgement names no stream';
}
