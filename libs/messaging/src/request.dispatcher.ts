import { createInbox, headers, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { REPLY_TO_HEADER, encodeMessage, type MessageOf, type ReplyOf, type RequestKey } from '@aset/contracts';
import type { BusLogger } from './bus.logger.js';
import { FORWARDED } from './request.handler.js';
import type { SubjectResolver, WithParams } from './subject.resolver.js';

/** A dispatch nobody listened to, as {@link RequestDispatcher.send} was given it. */
export interface UnansweredDispatch<K extends RequestKey> {
  readonly subject: string;
  /** The message object passed to `send` (not a copy: do not mutate it before it is published again). */
  readonly message: MessageOf<K>;
  /** Where the original requester waits for the answer. */
  readonly replyTo: string | undefined;
  /** The caller's count, as passed to `send` (1 for a first dispatch). */
  readonly attempt: number;
}

/**
 * Called when no service listened on a dispatch's subject (the server said so at once). Returns the
 * answer for the requester (e.g. a drop), which the dispatcher sends to its reply subject, or
 * `FORWARDED` when it dispatched the request again (`send`). Runs on the connection's callback: keep
 * it short. An exception is logged, and the requester gets no answer.
 */
export type NoRespondersHandler<K extends RequestKey> = (dispatch: UnansweredDispatch<K>) => ReplyOf<K> | typeof FORWARDED;

/** What the dispatcher needs of the bus that made it. */
export interface DispatcherDeps {
  readonly nc: NatsConnection;
  /** The connection's inbox prefix (default `_INBOX`): the dispatcher's reply subjects are under it. */
  readonly inboxPrefix?: string;
  readonly logger: BusLogger;
  readonly subjects: SubjectResolver;
  /** Counts and logs a message the dispatcher refused. */
  noteInvalid(subject: string, why: string): void;
  /** Sends `reply` to the requester waiting on `replyTo` (an ErrorReply with its error headers), for a request sent to `subject`. */
  answer(subject: string, replyTo: string | undefined, reply: ReplyOf<RequestKey>): void;
}

/** A literal subject: no whitespace, no wildcard token. */
const LITERAL_SUBJECT = /^[^\s*>]+$/;

/** True when `subject` can be published to: non-empty, no whitespace, no wildcard. */
export function isLiteralSubject(subject: string): boolean {
  return LITERAL_SUBJECT.test(subject);
}

/** How often the dispatches sent since the last check are confirmed heard (a PING to the server). */
const CONFIRM_EVERY_MS = 20;

interface Pending {
  readonly subject: string;
  readonly message: unknown;
  readonly replyTo: string | undefined;
  readonly attempt: number;
}

/**
 * Sends requests on behalf of their original requester and learns at once when nobody listens,
 * without standing in the answer's path. Each dispatch is published with
 *
 * - the requester's reply subject in the {@link REPLY_TO_HEADER} header: a responder served by
 *   `MessageBus.serve` answers the requester directly;
 * - a reply subject of the dispatcher's own, `<inbox>.<n>.<requester's reply subject>`, under one
 *   wildcard subscription. When no service listens, the NATS server answers it at once with a
 *   "no responders" status (503), which goes to the handler with the message. An answer from a
 *   responder that ignores the header comes there too and is relayed to the requester's subject
 *   (read from the reply subject: no state, no time limit), payload and headers unchanged and
 *   unvalidated (the requester validates).
 *
 * A dispatch is kept only until the server has confirmed it processed it: every CONFIRM_EVERY_MS
 * the dispatches sent since the last round are sealed and a PING follows them on the connection.
 * The server handles a connection's commands in order, so its PONG comes after any "no responders"
 * for them, which the client handles in order too: once the PONG is in, none can come. No
 * per-dispatch timer or clock read. Created by `MessageBus.dispatcher`.
 */
export class RequestDispatcher<K extends RequestKey> {
  private open = new Map<string, Pending>();
  /** Batches sent before a PING whose PONG has not come yet (usually none or one). */
  private readonly sealed = new Set<Map<string, Pending>>();
  private readonly inbox: string;
  private readonly inboxWildcard: string;
  private sequence = 0;
  private readonly subscription: Subscription;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly key: K,
    private readonly deps: DispatcherDeps,
    private readonly onNoResponders: NoRespondersHandler<K>,
  ) {
    this.inbox = createInbox(deps.inboxPrefix);
    this.inboxWildcard = `${this.inbox}.>`;
    this.subscription = deps.nc.subscribe(this.inboxWildcard, {
      callback: (err, msg) => (err ? deps.logger.error(`dispatch inbox of ${key} failed: ${err.message}`) : this.receive(msg)),
    });
  }

  /**
   * Publishes `message` on the key's subject (filled with `params` when it has parameters) for the
   * requester waiting on `replyTo` (ignored unless a literal subject); `attempt` is the caller's
   * count (default 1), handed back with an unanswered dispatch. Not validated here (it is typed, and
   * the receiver validates). Throws only what publishing throws (a closed connection).
   */
  send(...args: WithParams<K, [message: MessageOf<K>, replyTo: string | undefined, attempt?: number]>): void {
    const a = args as unknown[];
    const p = this.deps.subjects.paramCount(this.key);
    const subject = this.deps.subjects.subject(this.key, p === 0 ? undefined : (a[0] as never));
    const message = a[p] as MessageOf<K>;
    const replyTo = a[p + 1] as string | undefined;
    const attempt = (a[p + 2] as number | undefined) ?? 1;
    const target = replyTo !== undefined && isLiteralSubject(replyTo) ? replyTo : undefined;
    const n = (++this.sequence).toString(36);
    const reply = target ? `${this.inbox}.${n}.${target}` : `${this.inbox}.${n}`;
    if (target) {
      const h = headers();
      h.set(REPLY_TO_HEADER, target);
      this.deps.nc.publish(subject, encodeMessage(message), { reply, headers: h });
    } else {
      this.deps.nc.publish(subject, encodeMessage(message), { reply });
    }
    this.open.set(reply, { subject, message, replyTo: target, attempt });
    if (!this.timer) {
      this.timer = setTimeout(this.confirm, CONFIRM_EVERY_MS);
      this.timer.unref();
    }
  }

  /** Dispatches a "no responders" could still come for. */
  get pending(): number {
    let n = this.open.size;
    for (const batch of this.sealed) n += batch.size;
    return n;
  }

  /** Stops confirmations and the inbox subscription; later "no responders" and answers are not seen. */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.subscription.isClosed()) this.subscription.unsubscribe();
  }

  private readonly confirm = (): void => {
    this.timer = undefined;
    if (this.open.size === 0) return;
    const batch = this.open;
    this.open = new Map();
    this.sealed.add(batch);
    // A failed PING (connection closed or lost): no "no responders" will come for these either.
    const release = () => this.sealed.delete(batch);
    this.deps.nc.flush().then(release, release);
  };

  private receive(msg: Msg): void {
    const pending = this.take(msg.subject);
    if (msg.data.length === 0 && msg.headers?.code === 503) {
      if (pending) this.unanswered(pending);
      return;
    }
    // An answer sent to the reply subject rather than to the header's: relay it to the requester.
    const afterInbox = this.inbox.length + 1;
    const dot = msg.subject.indexOf('.', afterInbox);
    if (dot < 0) {
      this.deps.noteInvalid(this.inboxWildcard, `answer to a ${this.key} dispatch that named no requester`);
      return;
    }
    const replyTo = msg.subject.slice(dot + 1);
    try {
      this.deps.nc.publish(replyTo, msg.data, msg.headers ? { headers: msg.headers } : undefined);
    } catch (e) {
      this.deps.logger.warn(`answer to a ${this.key} dispatch not relayed to ${replyTo.slice(0, 200)}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private take(reply: string): Pending | undefined {
    const pending = this.open.get(reply);
    if (pending) {
      this.open.delete(reply);
      return pending;
    }
    for (const batch of this.sealed) {
      const p = batch.get(reply);
      if (p) {
        batch.delete(reply);
        return p;
      }
    }
    return undefined;
  }

  private unanswered(pending: Pending): void {
    try {
      const result = this.onNoResponders({ subject: pending.subject, message: pending.message as MessageOf<K>, replyTo: pending.replyTo, attempt: pending.attempt });
      if (result !== FORWARDED) this.deps.answer(pending.subject, pending.replyTo, result);
    } catch (e) {
      this.deps.logger.error(`no-responders handler for ${pending.subject} threw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
  }
}
