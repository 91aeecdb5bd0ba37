/**
 * A server the testbed owns outright (its process, port and data directory), so that a fault can
 * take it down and bring it back: the NATS hub of a testbed (`NatsTopology.hubServer`), or the
 * embedded PostgreSQL of a chaos run. A restart keeps the port and the data, as a real server coming
 * back would.
 */
export interface RestartableServer {
  /** How clients reach it; unchanged across restarts. */
  readonly url: string;
  /** The process id while it runs. */
  readonly pid: number | undefined;
  readonly running: boolean;
  /** Takes it down as the fault describes (see each factory); resolves once the process is gone. */
  kill(): Promise<void>;
  /** Starts it again after {@link kill}, on the same port and data; resolves once it accepts connections. */
  restart(): Promise<void>;
  /** Stops it for good (idempotent). */
  stop(): Promise<void>;
}
