import type { JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

/**
 * One message delivered by a JetStream consumer (`MessageBus.consume`), to settle once the
 * consumer is done with it; usable after the handler returned (e.g. after a batch committed).
 * Settle each delivery once. None of these throws: once the connection is closed they do nothing,
 * and the server delivers again whatever was not acknowledged after the consumer's ack wait.
 * Deliveries of an ordered consumer acknowledge nothing: these do nothing there.
 */
export interface Delivery {
  /** The subject the message was published on (one shared string per subject). */
  readonly subject: string;
  /** Done: never delivered again. */
  ack(): void;
  /** Not done: deliver it again, after `delayMs` when given, else at once. */
  nak(delayMs?: number): void;
  /** Never deliver it again, though not done (refused). */
  term(): void;
  /**
   * Never deliver it again, as invalid: terminated, and counted and logged under its subject (the
   * bus's invalid-messages counter) once per stored message, however often the stream delivered it
   * (a delivery that waited out its ack wait comes again). Returns whether this call counted it:
   * false when an earlier delivery of the same stored message was refused already, in which case a
   * caller with counters of its own must not count it either.
   */
  refuse(why: string): boolean;
}

/** Counts refused stored messages once each: what a consumer's deliveries report their refusals to. */
export interface RefusalCounter {
  /** Counts `why` under `subject` unless stream message `sequence` was refused before (undefined: unknown, counted); returns whether it counted. */
  refuse(subject: string, sequence: number | undefined, why: string): boolean;
}

/**
 * The stream sequences a consumer refused, for {@link RefusalCounter}: the last {@link capacity}
 * of them. A redelivery comes within the consumer's ack wait times its deliveries, long before that
 * many further refusals push its sequence out.
 */
export class RefusedSequences {
  private readonly seen = new Set<number>();

  constructor(private readonly capacity = 65_536) {}

  /** True the first time `sequence` is given (and always for undefined), false after. */
  first(sequence: number | undefined): boolean {
    if (sequence === undefined) return true;
    if (this.seen.has(sequence)) return false;
    this.seen.add(sequence);
    if (this.seen.size > this.capacity) this.seen.delete(this.seen.values().next().value as number);
    return true;
  }
}

const encoder = new TextEncoder();
/**
 * JetStream's acknowledgement payloads, as JsMsg.ack/nak/term publish them to the reply subject.
 * TERM is bare on purpose: nats-server before 2.10 recognises only `+TERM` exactly, and leaves a
 * message terminated with a reason (`+TERM why`) pending, to be redelivered after every ack_wait.
 */
const ACK = encoder.encode('+ACK');
const NAK = encoder.encode('-NAK');
const TERM = encoder.encode('+TERM');

/** The last delayed NAK payload: a failed batch NAKs all its messages with the same delay. */
let delayedNak: { delayMs: number; payload: Uint8Array } | undefined;

function nakPayload(delayMs: number): Uint8Array {
  if (delayedNak?.delayMs !== delayMs) delayedNak = { delayMs, payload: encoder.encode(`-NAK ${JSON.stringify({ delay: Math.round(delayMs * 1e6) })}`) };
  return delayedNak.payload;
}

/**
 * A delivery of a durable consumer. Keeps the message's reply subject (JetStream's acknowledgement
 * subject) when the client exposes it (nats.js does, outside the JsMsg type), else the JsMsg itself:
 * keeping every JsMsg (with the socket buffer it views) for the up to max_ack_pending messages a
 * consumer may hold cost about 15% of the metrics store's ingestion CPU in garbage collection.
 */
export class AckableDelivery implements Delivery {
  private readonly target: string | JsMsg;

  constructor(
    readonly subject: string,
    m: JsMsg,
    private readonly nc: NatsConnection,
    private readonly refusals: RefusalCounter,
  ) {
    const reply: unknown = Reflect.get(m, 'reply');
    this.target = typeof reply === 'string' && reply.length > 0 ? reply : m;
  }

  refuse(why: string): boolean {
    const counted = this.refusals.refuse(this.subject, this.streamSequence(), why);
    this.term();
    return counted;
  }

  /**
   * The message's sequence in the stream, from its acknowledgement subject:
   * `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>...` (9 tokens) or, with a domain and account
   * hash, `$JS.ACK.<domain>.<hash>.<stream>.<consumer>.<delivered>.<sseq>...` (12 tokens).
   */
  private streamSequence(): number | undefined {
    if (typeof this.target !== 'string') return this.target.seq;
    const tokens = this.target.split('.');
    const sequence = Number(tokens.length === 9 ? tokens[5] : tokens[7]);
    return Number.isSafeInteger(sequence) && sequence > 0 ? sequence : undefined;
  }

  ack(): void {
    this.settle(ACK, (m) => m.ack());
  }

  nak(delayMs?: number): void {
    if (delayMs === undefined) this.settle(NAK, (m) => m.nak());
    else this.settle(nakPayload(delayMs), (m) => m.nak(delayMs));
  }

  term(): void {
    this.settle(TERM, (m) => m.term());
  }

  private settle(payload: Uint8Array, viaMsg: (m: JsMsg) => void): void {
    try {
      if (typeof this.target === 'string') this.nc.publish(this.target, payload);
      else viaMsg(this.target);
    } catch {
      // Connection closed: nothing left to tell the server.
    }
  }
}

/** A delivery of an ordered consumer: nothing to acknowledge, and never delivered twice. */
export class UnackedDelivery implements Delivery {
  constructor(
    readonly subject: string,
    private readonly refusals: RefusalCounter,
  ) {}

  refuse(why: string): boolean {
    return this.refusals.refuse(this.subject, undefined, why);
  }

  ack(): void {}

  nak(): void {}

  term(): void {}
}
