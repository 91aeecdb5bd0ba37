/** Counters a service exports as metrics. Keys are concrete subjects. */
export class BusStats {
  /** Messages refused at a receive edge (invalid JSON, schema, schemaVersion), by subject. */
  readonly invalid = new Map<string, number>();
  /** Requests answered with an ErrorReply, by subject and error code (`subject|code`). */
  readonly errorReplies = new Map<string, number>();
  /** Requests and events handled successfully, by subject. */
  readonly handled = new Map<string, number>();
  /** Answers published to requesters, and the batches they left in (one socket write each, see `MessageBus.serve`). */
  answers = 0;
  answerBatches = 0;

  count(map: Map<string, number>, key: string): void {
    map.set(key, (map.get(key) ?? 0) + 1);
  }

  total(map: Map<string, number>): number {
    let n = 0;
    for (const v of map.values()) n += v;
    return n;
  }
}
