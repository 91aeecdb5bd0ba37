import type { MessageOf, ReplyOf, RequestKey } from '@aset/contracts';

/** What a request handler returns when it passed the request on to a service that will answer the requester. */
export const FORWARDED = Symbol('forwarded');

/**
 * What a request handler returns for a request that is lost: nobody answers it, and the requester
 * times out (an emulated cluster outage loses the queries that were there, as a real one would).
 */
export const UNANSWERED = Symbol('unanswered');

/** What a request handler sees besides the validated message. */
export interface IncomingRequest {
  readonly subject: string;
  /**
   * Where the requester waits for the answer: the request's `REPLY_TO_HEADER` header when a
   * `RequestDispatcher` sent it, else its reply subject. Handlers that pass the request on
   * (a dispatcher's `send`, `MessageBus.forward`) pass this on with it.
   */
  readonly replyTo: string | undefined;
}

/** What a request handler may return besides the reply. */
export type NoReply = typeof FORWARDED | typeof UNANSWERED;

/**
 * A request handler returns the reply, `FORWARDED` when it passed the request (and its reply
 * subject) on to another service that will answer, or `UNANSWERED` when the request is lost. A
 * thrown exception becomes an INTERNAL ErrorReply.
 */
export type RequestHandler<K extends RequestKey> = (message: MessageOf<K>, request: IncomingRequest) => ReplyOf<K> | NoReply | Promise<ReplyOf<K> | NoReply>;
