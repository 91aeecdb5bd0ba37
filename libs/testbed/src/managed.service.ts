/** A dependency (NATS, Postgres) the testbed either found configured or started itself. */
export interface ManagedService {
  readonly url: string;
  /** True when the testbed started it (and will stop it). */
  readonly started: boolean;
  /** The server's (main) process, when the testbed started it on this host and it runs. */
  readonly pid?: number | undefined;
  stop(): Promise<void>;
}

export type Say = (message: string) => void;
