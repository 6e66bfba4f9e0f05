import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectNoSecret, knownSecrets } from './secrets.js';

const root = new URL('../..', import.meta.url).pathname;

/** `npm start` is `tsx bin/cli.ts run`; this is the same entry, in a real process. */
function cli(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/cli.ts', ...args], {
    cwd: root,
    env: { ...process.env, FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, exit, out: () => stdout, err: () => stderr };
}

const events = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { event: string; provider?: string; outcome?: string });

describe('token-refresher run as a process (what npm start runs)', () => {
  it('--once refreshes the five shipped providers and the two demo providers (signed, connected), and exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'token-refresher-proc-'));
    const { exit, out, err } = cli(['run', '--once', '--json', '--dir', dir]);
    expect(await exit, err()).toBe(0);
    const runs = events(out()).filter((e) => e.event === 'run');
    expect(runs.map((e) => `${e.provider} ${e.outcome}`).sort()).toEqual([
      'clickview refreshed',
      'demo-connected refreshed',
      'demo-okta refreshed',
      'mediahound refreshed',
      'mediamelon refreshed',
      'movingimage refreshed',
      'nagra refreshed',
    ]);
    const nagra = JSON.parse(readFileSync(join(dir, 'demo', 'nagra.token.json'), 'utf8'));
    expect(nagra).toMatchObject({ token_type: 'Bearer', provider: 'nagra' });
    expectNoSecret(out() + err(), knownSecrets(join(dir, 'demo')));
  });

  it('stops cleanly on SIGINT: exit 0, the lock released', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'token-refresher-proc-'));
    const proc = cli(['run', '--dir', dir]);
    // Wait for the six first runs, then Ctrl-C.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no six runs:\n${proc.out()}\n${proc.err()}`)), 20_000);
      proc.child.stdout.on('data', () => {
        if ((proc.out().match(/refreshed \(/g) ?? []).length >= 6) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    proc.child.kill('SIGINT');
    expect(await proc.exit).toBe(0);
    expect(proc.out()).toMatch(/SIGINT: stopping/);
    expect(proc.out()).toMatch(/stopped; state kept for the next start/);
    expect(() => readFileSync(join(dir, 'demo', '.lock'))).toThrow(/ENOENT/);
  });
});
