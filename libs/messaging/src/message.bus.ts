import { connect, headers, type MsgHdrs, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import {
  CONTRACTS,
  ERROR_CODES,
  ERROR_HEADERS,
  REPLY_TO_HEADER,
  SubjectSpace,
  decodeMessage,
  encodeMessage,
  errorReplyOf,
  type DurableKey,
  type ErrorCode,
  type ErrorReply,
  type EventKey,
  type MessageOf,
  type ReplyOf,
  type RequestKey,
  type SubjectKey,
  type SubjectParams,
} from '@aset/contracts';
import { BusStats } from './bus.stats.js';
import { consoleBusLogger, type BusLogger } from './bus.logger.js';
import { RequestDispatcher, isLiteralSubject, type NoRespondersHandler } from './request.dispatcher.js';

export interface BusOptions {
  /** NATS server URL(s), comma-separated. */
  servers: string;
  /** Connection name shown by the server (`nats server report connections`). */
  name: string;
  /** Subject prefix; tests use their own so that runs never collide. */
  prefix: string;
  logger?: BusLogger;
}

type ParamsArg<K extends SubjectKey> = keyof SubjectParams<K> extends never ? [] : [SubjectParams<K>];

/** What a request handler sees besides the validated message. */
export interface IncomingRequest {
  readonly subject: string;
  /**
   * Where the requester waits for the answer: the request's {@link REPLY_TO_HEADER} header when a
   * {@link RequestDispatcher} sent it, else its reply subject. Handlers that pass the request on
   * (a dispatcher's `send`, {@link MessageBus.forward}) pass this on with it.
   */
  readonly replyTo: string | undefined;
}

/**
 * A request handler returns the reply, or `FORWARDED` when it passed the request (and its reply
 * subject) on to another service that will answer. A thrown exception becomes an INTERNAL ErrorReply.
 */
export type RequestHandler<K extends RequestKey> = (
  message: MessageOf<K>,
  request: IncomingRequest,
) => ReplyOf<K> | typeof FORWARDED | Promise<ReplyOf<K> | typeof FORWARDED>;

export const FORWARDED = Symbol('forwarded');

/** The outcome of a request: the validated reply, or why there is none. Never throws for these. */
export type RequestOutcome<R> =
  | { ok: true; reply: R }
  | { ok: false; failure: 'timeout' | 'no-responders' | 'invalid-reply' | 'connection'; message: string };

/**
 * The only way ASET services touch NATS. Every receive edge validates against the subject's
 * contract: an invalid request gets a typed ErrorReply, an invalid event is counted and dropped.
 * Nothing here throws on bad input from the wire.
 *
 * Requests a service passes on to another: {@link dispatcher} (the scheduler's path to the
 * workers) learns at once when nobody listens on the target subject while the target still answers
 * the original requester directly; {@link forward} only publishes with the requester's reply
 * subject, so a missing responder goes unnoticed (the NATS server reports "no responders" only to
 * a publisher subscribed to the reply subject) and the requester waits out its timeout.
 */
export class MessageBus {
  readonly stats = new BusStats();
  private readonly dispatchers: { close(): void }[] = [];
  private jsClient?: JetStreamClient;
  private jsManager?: JetStreamManager;

  private constructor(
    readonly nc: NatsConnection,
    readonly subjects: SubjectSpace,
    private readonly logger: BusLogger,
  ) {}

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
      });
    } catch (e) {
      throw new Error(`cannot connect to NATS at ${options.servers}: ${e instanceof Error ? e.message : String(e)}`);
    }
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect' || s.type === 'reconnect') logger.warn(`NATS ${s.type} (${options.name})`);
      }
    })();
    return new MessageBus(nc, subjects, logger);
  }

  subject<K extends SubjectKey>(key: K, ...params: ParamsArg<K>): string {
    return this.subjects.subject(key, ...params);
  }

  /**
   * Serves a request subject. Handlers run concurrently; `queue` spreads requests over the
   * instances that share it. Returns the subscription; `drain()` closes it.
   */
  serve<K extends RequestKey>(
    key: K,
    subject: string,
    handler: RequestHandler<K>,
    options: { queue?: string } = {},
  ): Subscription {
    const schema = CONTRACTS[key].message;
    return this.nc.subscribe(subject, {
      ...(options.queue ? { queue: options.queue } : {}),
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

  /** Sends a request and validates the reply against the subject's contract. */
  async request<K extends RequestKey>(
    key: K,
    subject: string,
    message: MessageOf<K>,
    timeoutMs: number,
  ): Promise<RequestOutcome<ReplyOf<K>>> {
    let msg: Msg;
    try {
      msg = await this.nc.request(subject, encodeMessage(message), { timeout: timeoutMs });
    } catch (e) {
      return requestFailure(e, subject, timeoutMs);
    }
    const decoded = decodeMessage(CONTRACTS[key].reply, msg.data, `reply from ${subject}`);
    if (!decoded.ok) {
      this.stats.count(this.stats.invalid, `reply:${subject}`);
      return { ok: false, failure: 'invalid-reply', message: decoded.message };
    }
    return { ok: true, reply: decoded.value as ReplyOf<K> };
  }

  /**
   * Publishes a request to another request subject on behalf of the original requester, so that
   * the downstream service answers the requester directly. Not re-validated here (it is typed, and
   * the receiver validates). Nobody learns when no service listens on `subject`: the requester
   * times out. Prefer {@link dispatcher} when that matters.
   */
  forward<K extends RequestKey>(_key: K, subject: string, message: MessageOf<K>, replyTo: string | undefined): void {
    this.nc.publish(subject, encodeMessage(message), replyTo ? { reply: replyTo } : undefined);
  }

  /**
   * A dispatcher of `key` requests on behalf of their requesters: its `send` publishes so that the
   * target answers the requester directly, and `onNoResponders` hears at once of every dispatch
   * nobody listened to (see {@link RequestDispatcher}). One inbox subscription each; closed with
   * the bus.
   */
  dispatcher<K extends RequestKey>(key: K, onNoResponders: NoRespondersHandler<K>): RequestDispatcher<K> {
    const dispatcher = new RequestDispatcher(key, { nc: this.nc, logger: this.logger, noteInvalid: (subject, why) => this.noteInvalid(subject, why) }, onNoResponders);
    this.dispatchers.push(dispatcher);
    return dispatcher;
  }

  /** Answers a request on behalf of a service that could not (e.g. a dispatcher whose target refused). */
  respondTo<K extends RequestKey>(_key: K, replyTo: string | undefined, reply: ReplyOf<K>): void {
    if (replyTo) this.sendReply(replyTo, encodeMessage(reply));
  }

  publishEvent<K extends EventKey>(_key: K, subject: string, message: MessageOf<K>): void {
    this.nc.publish(subject, encodeMessage(message));
  }

  /** Subscribes to events; invalid ones are counted under their subject, logged (first few) and dropped. */
  onEvent<K extends EventKey>(key: K, subject: string, handler: (message: MessageOf<K>, subject: string) => void): Subscription {
    const schema = CONTRACTS[key].message;
    return this.nc.subscribe(subject, {
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

  /** Counts and logs a refused message. Logs the first 20 per subject, then every 1000th. */
  noteInvalid(subject: string, why: string): void {
    this.stats.count(this.stats.invalid, subject);
    const n = this.stats.invalid.get(subject) ?? 0;
    if (n <= 20 || n % 1000 === 0) this.logger.warn(`dropped invalid message #${n} on ${subject}: ${why}`);
  }

  /** Publishes to JetStream and waits for the server's ack. `msgId` makes retries idempotent. */
  async publishDurable<K extends DurableKey>(_key: K, subject: string, message: MessageOf<K>, msgId: string): Promise<void> {
    await this.js().publish(subject, encodeMessage(message), { msgID: msgId });
  }

  js(): JetStreamClient {
    this.jsClient ??= jetstream(this.nc);
    return this.jsClient;
  }

  async jsm(): Promise<JetStreamManager> {
    this.jsManager ??= await jetstreamManager(this.nc);
    return this.jsManager;
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

  /** Flushes pending publishes, drains subscriptions and closes. Safe to call twice. */
  async close(): Promise<void> {
    for (const d of this.dispatchers.splice(0)) d.close();
    if (this.nc.isClosed()) return;
    try {
      await this.nc.drain();
    } catch {
      await this.nc.close();
    }
  }

  private finish<K extends RequestKey>(subject: string, replyTo: string | undefined, result: ReplyOf<K> | typeof FORWARDED): void {
    this.stats.count(this.stats.handled, subject);
    if (result === FORWARDED) return;
    if (result.status === 'error') {
      this.replyError(subject, replyTo, result);
      return;
    }
    if (replyTo) this.sendReply(replyTo, encodeMessage(result));
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

  /** Publishes an answer; a closed connection or a malformed reply subject is logged, never thrown. */
  private sendReply(replyTo: string, data: Uint8Array, h?: MsgHdrs): void {
    try {
      this.nc.publish(replyTo, data, h ? { headers: h } : undefined);
    } catch (e) {
      this.logger.warn(`reply to ${replyTo.slice(0, 200)} not sent: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

/** Where a request's answer goes: its REPLY_TO_HEADER header when that is a literal subject, else its reply subject. */
function replyTarget(msg: Msg): string | undefined {
  const header = msg.headers?.get(REPLY_TO_HEADER);
  return header && isLiteralSubject(header) ? header : msg.reply;
}

function describe(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}

function requestFailure(e: unknown, subject: string, timeoutMs: number): { ok: false; failure: 'timeout' | 'no-responders' | 'connection'; message: string } {
  const err = e as Error & { isNoResponders?: () => boolean; cause?: unknown };
  if (typeof err.isNoResponders === 'function' && err.isNoResponders()) {
    return { ok: false, failure: 'no-responders', message: `no service listens on ${subject}` };
  }
  if (err.name === 'TimeoutError' || (err.cause instanceof Error && err.cause.name === 'TimeoutError')) {
    return { ok: false, failure: 'timeout', message: `no reply from ${subject} within ${timeoutMs} ms` };
  }
  return { ok: false, failure: 'connection', message: `request to ${subject} failed: ${err.message}` };
}
