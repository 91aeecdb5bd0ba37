/** A problem with the model zoo: names the file and, where it applies, the path inside it. */
export class ZooError extends Error {
  constructor(
    readonly file: string,
    readonly where: string,
    readonly problem: string,
  ) {
    super(`${file}${where ? ` at ${where}` : ''}: ${problem}`);
    this.name = 'ZooError';
  }
}
