import { readFileSync } from 'node:fs';

/** The package version, read when asked: `--version` is the only command that needs it. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}
