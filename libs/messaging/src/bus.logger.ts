/** The logging the bus needs; Nest's Logger, pino and console all fit. */
export interface BusLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const consoleBusLogger: BusLogger = {
  log: (m) => console.log(m),
  warn: (m) => console.warn(m),
  error: (m) => console.error(m),
};

/** Says nothing: for tools and tests whose own output must not be interleaved with the bus's. */
export const silentBusLogger: BusLogger = {
  log: () => {},
  warn: () => {},
  error: () => {},
};
