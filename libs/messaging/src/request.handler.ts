import type { MessageOf, ReplyOf, RequestKey } from '@aset/contracts';

/** What a request handler returns when it passed the request on to a service that will answer the requester. */
export const FORWARDED = Symbol('forwarded');

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

/**
 * A request handler returns the reply, or `FORWARDED` when it passed the request (and its reply
 * subject) on to another service that will answer. A thrown exception becomes an INTERNAL ErrorReply.
 */
export type RequestHandler<K extends RequestKey> = (
  message: MessageOf<K>,
  request: IncomingRequest,
) => ReplyOf<K> | typeof FORWARDED | Promise<ReplyOf<K> | typeof FORWARDED>;
