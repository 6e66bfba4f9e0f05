/**
 * Captures everything written to stdout and stderr (Powertools Logger and the EMF metrics lines go
 * to stdout) so tests can read the function's logs and metrics, and prove no secret is in them.
 */
export function captureOutput() {
  const chunks: string[] = [];
  const original = {
    out: process.stdout.write,
    err: process.stderr.write,
    log: console.log,
    error: console.error,
    warn: console.warn,
    info: console.info,
  };
  const grab = (chunk: unknown) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return true;
  };
  process.stdout.write = grab;
  process.stderr.write = grab;
  for (const name of ['log', 'error', 'warn', 'info'] as const) {
    console[name] = (...args: unknown[]) => {
      chunks.push(`${args.map(String).join(' ')}\n`);
    };
  }
  return {
    text: () => chunks.join(''),
    /** Every JSON line written (structured logs and EMF documents). */
    json: () =>
      chunks
        .join('')
        .split('\n')
        .filter((l) => l.trim().startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    restore: () => {
      process.stdout.write = original.out;
      process.stderr.write = original.err;
      console.log = original.log;
      console.error = original.error;
      console.warn = original.warn;
      console.info = original.info;
    },
  };
}
