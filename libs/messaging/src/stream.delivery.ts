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
  ) {
    const reply: unknown = Reflect.get(m, 'reply');
    this.target = typeof reply === 'string' && reply.length > 0 ? reply : m;
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

/** A delivery of an ordered consumer: nothing to acknowledge. */
export class UnackedDelivery implements Delivery {
  constructor(readonly subject: string) {}

  ack(): void {}

  nak(): void {}

  term(): void {}
}
