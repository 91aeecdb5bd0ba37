/**
 * One sample of a service's Prometheus metric, read from its `/metrics` (the first series of
 * `name`, whatever its labels), or undefined when the service does not answer within 2 s or does not
 * expose it.
 */
export async function readServiceMetric(baseUrl: string, name: string): Promise<number | undefined> {
  try {
    const text = await (await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(2_000) })).text();
    const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}
