/**
 * Runs a command's body: on an error, prints `<name> failed: <message>` (no stack: errors here are
 * about inputs and environment, and name what to fix) and exits with code 1.
 */
export async function runCommand(name: string, body: () => Promise<void> | void): Promise<void> {
  try {
    await body();
  } catch (e) {
    console.error(`${name} failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
