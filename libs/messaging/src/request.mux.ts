import { createInbox, type Msg, type MsgHdrs, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import type { BusLogger } from './bus.logger.js';

/** How a request sent through {@link RequestMux} ended: its first answer, or why there is none. */
export type MuxOutcome =
  | { readonly ok: true; readonly msg: Msg }
  | { readonly ok: false; readonly failure: 'timeout' | 'no-responders' | 'connection'; readonly message: string };

/** Called exactly once per request, on the connection's callback or a timer: keep it short. */
export type MuxSettle = (outcome: MuxOutcome) => void;

interface Pending {
  readonly token: string;
  readonly subject: string;
  readonly deadline: number;
  /** Undefined once settled. */
  settle: MuxSettle | undefined;
}

/** The requests of one timeout, in sending order, so in deadline order: a FIFO with a moving head. */
class DeadlineQueue {
  private items: (Pending | undefined)[] = [];
  private head = 0;

  push(p: Pending): void {
    this.items.push(p);
  }

  peek(): Pending | undefined {
    return this.items[this.head];
  }

  shift(): void {
    this.items[this.head++] = undefined;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  /** Drops the settled requests at the head. */
  dropSettled(): void {
    for (let p = this.peek(); p !== undefined && p.settle === undefined; p = this.peek()) this.shift();
  }
}

const CLOSED: MuxOutcome = { ok: false, failure: 'connection', message: 'the connection was closed' };

/**
 * Request-reply over one wildcard reply subscription (`<inbox>.<token>`, tokens counted), without
 * nats.js's per-request machinery: no error object built for every request that succeeds (nats.js
 * rejects each settled request's promise with a new `RequestError("cancelled")`), no timer per
 * request (one timer for the earliest deadline; the requests of one timeout expire in sending
 * order), no promise unless the caller makes one. Outcomes are values, as `MessageBus.request`
 * reports them:
 *
 * - the first message to the request's reply subject (a later one is ignored);
 * - `no-responders`: the server's 503 status when nobody subscribes to the subject;
 * - `timeout` once `timeoutMs` have passed (never earlier);
 * - `connection`: the connection was closed (every request still open), the publish threw, the
 *   server refused the publish for the user's permissions (the oldest open request to that subject:
 *   {@link refused}), or it refused the reply subscription (every request open).
 *
 * The subscription is made at the first request and again after a refusal. Created by `MessageBus`.
 */
export class RequestMux {
  private readonly pending = new Map<string, Pending>();
  private readonly queues = new Map<number, DeadlineQueue>();
  private subscription: Subscription | undefined;
  private inbox = '';
  private sequence = 0;
  private timer: NodeJS.Timeout | undefined;
  /** When the armed timer fires (performance.now() time). */
  private timerAt = Infinity;
  private closed = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly inboxPrefix: string | undefined,
    private readonly logger: BusLogger,
  ) {
    void nc.closed().then(() => this.close());
  }

  /** Requests still waiting for their outcome. */
  get open(): number {
    return this.pending.size;
  }

  /**
   * Publishes `data` (with `headers`, when given) to `subject`, with a reply subject of the mux's
   * own, and settles the request's outcome through `settle`, once. Never throws.
   */
  request(subject: string, data: Uint8Array, timeoutMs: number, settle: MuxSettle, headers?: MsgHdrs): void {
    if (this.closed) {
      settle(CLOSED);
      return;
    }
    const token = (++this.sequence).toString(36);
    try {
      this.subscribe();
      this.nc.publish(subject, data, headers ? { reply: `${this.inbox}.${token}`, headers } : { reply: `${this.inbox}.${token}` });
    } catch (e) {
      settle({ ok: false, failure: 'connection', message: `request to ${subject} failed: ${e instanceof Error ? e.message : String(e)}` });
      return;
    }
    const deadline = performance.now() + timeoutMs;
    const p: Pending = { token, subject, deadline, settle };
    this.pending.set(token, p);
    let queue = this.queues.get(timeoutMs);
    if (!queue) {
      queue = new DeadlineQueue();
      this.queues.set(timeoutMs, queue);
    }
    queue.push(p);
    if (deadline < this.timerAt) this.arm(deadline);
  }

  /** The server refused a publish to `subject` (permissions): the oldest open request to it fails. */
  refused(subject: string, why: string): void {
    for (const p of this.pending.values()) {
      if (p.subject === subject) {
        this.finish(p, { ok: false, failure: 'connection', message: `request to ${subject} refused: ${why}` });
        return;
      }
    }
  }

  /** Fails every open request (`connection`) and unsubscribes; later requests fail at once. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    this.failAll(CLOSED);
    if (this.subscription && !this.subscription.isClosed()) this.subscription.unsubscribe();
    this.subscription = undefined;
  }

  private subscribe(): void {
    if (this.subscription) return;
    this.inbox = createInbox(this.inboxPrefix);
    const prefixLength = this.inbox.length + 1;
    const subscription = this.nc.subscribe(`${this.inbox}.*`, {
      callback: (err, msg) => {
        if (err) {
          // The server refused the subscription (permissions): no answer can come to the open requests.
          this.logger.error(`request inbox ${this.inbox} failed: ${err.message}`);
          if (this.subscription === subscription) this.subscription = undefined;
          this.failAll({ ok: false, failure: 'connection', message: `no reply can come: ${err.message}` });
          return;
        }
        const p = this.pending.get(msg.subject.slice(prefixLength));
        if (!p) return;
        this.finish(p, msg.data.length === 0 && msg.headers?.code === 503 ? { ok: false, failure: 'no-responders', message: `no service listens on ${p.subject}` } : { ok: true, msg });
      },
    });
    this.subscription = subscription;
  }

  private finish(p: Pending, outcome: MuxOutcome): void {
    const settle = p.settle;
    if (!settle) return;
    p.settle = undefined;
    this.pending.delete(p.token);
    if (this.pending.size === 0) {
      // Nothing left to time out: no timer keeps the process alive.
      clearTimeout(this.timer);
      this.timer = undefined;
      this.timerAt = Infinity;
      this.queues.clear();
    } else {
      // Answers come mostly in sending order: dropping settled heads keeps the queues short.
      for (const queue of this.queues.values()) queue.dropSettled();
    }
    settle(outcome);
  }

  private failAll(outcome: MuxOutcome): void {
    const open = [...this.pending.values()];
    for (const p of open) this.finish(p, outcome);
  }

  private arm(at: number): void {
    clearTimeout(this.timer);
    this.timerAt = at;
    // Node's timers count whole milliseconds from the event loop's cached time, so a timer may fire up
    // to a millisecond before `at`; `expire` then re-arms, and a request never times out early.
    this.timer = setTimeout(this.expire, Math.max(1, Math.ceil(at - performance.now())));
  }

  private readonly expire = (): void => {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = performance.now();
    const expired: [Pending, number][] = [];
    for (const [timeoutMs, queue] of this.queues) {
      for (let p = queue.peek(); p !== undefined && (p.settle === undefined || p.deadline <= now); p = queue.peek()) {
        queue.shift();
        if (p.settle !== undefined) expired.push([p, timeoutMs]);
      }
      if (queue.peek() === undefined) this.queues.delete(timeoutMs);
    }
    for (const [p, timeoutMs] of expired) this.finish(p, { ok: false, failure: 'timeout', message: `no reply from ${p.subject} within ${timeoutMs} ms` });
    let next = Infinity;
    for (const queue of this.queues.values()) next = Math.min(next, queue.peek()?.deadline ?? Infinity);
    if (next < this.timerAt && !this.closed) this.arm(next);
  };
}
