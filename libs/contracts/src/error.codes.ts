/**
 * Error codes on the wire. Request handlers answer failures with an {@link ErrorReply}
 * carrying one of these, and mirror it in the `Nats-Service-Error-Code` / `Nats-Service-Error`
 * headers as nats.js services do, so that `nats req` shows them too.
 * The numeric status follows HTTP semantics.
 */
export const ERROR_CODES = {
  /** The payload is not JSON or does not match the subject's schema. */
  INVALID_MESSAGE: 400,
  /** The schemaVersion is not one this service speaks. */
  UNSUPPORTED_SCHEMA_VERSION: 400,
  /** The message names a cluster, variant, task or app that this deployment does not know. */
  UNKNOWN_REFERENCE: 404,
  /** The model failed while running. */
  INFERENCE_FAILED: 500,
  /** A bug: the service caught an exception it did not expect. */
  INTERNAL: 500,
  /**
   * Load shed: the cluster's queue is at its bound (the scenario's `maxQueue`, as Triton's
   * `max_queue_size`) and every slot is busy, so the query is refused at once instead of queued.
   * The sender records it as `dropped` with reason `QUEUE_FULL`: an expected outcome of overload.
   */
  QUEUE_FULL: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export const ERROR_CODE_NAMES = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];

/** Headers mirroring the error on a reply, as in nats.js services. */
export const ERROR_HEADERS = {
  code: 'Nats-Service-Error-Code',
  description: 'Nats-Service-Error',
} as const;
