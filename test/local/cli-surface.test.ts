import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../cli/args.js';
import { RUN_HELP } from '../../cli/help.js';
import { LiveView } from '../../cli/run/live-view.js';
import type { RunReport } from '../../core/refresh.js';

describe('run and status --local arguments', () => {
  it('parses run with its defaults and options', () => {
    expect(parseCommand(['run'])).toEqual({
      name: 'run',
      providersFile: 'providers.json',
      json: false,
      once: false,
      demo: false,
      demoFaults: false,
    });
    expect(parseCommand(['run', '--credentials-file', 'c.json', '--dir', 'd', '--json', '--once'])).toMatchObject({
      credentialsFile: 'c.json',
      dir: 'd',
      json: true,
      once: true,
    });
    expect(parseCommand(['run', '--help'])).toEqual({ name: 'help', text: RUN_HELP });
    expect(() => parseCommand(['run', 'nagra'])).toThrow('unexpected argument "nagra"');
  });

  it('parses status --local, and keeps --dir and --stack apart from it', () => {
    expect(parseCommand(['status', '--local', '--dir', 'x'])).toEqual({ name: 'status-local', dir: 'x', json: false });
    expect(parseCommand(['status'])).toMatchObject({ name: 'status', source: { kind: 'stage', stage: 'default' } });
    expect(() => parseCommand(['status', '--dir', 'x'])).toThrow('--dir goes with --local');
    expect(() => parseCommand(['status', '--local', '--stack', 'S'])).toThrow('takes no --stack');
  });
});

describe('the live view on a terminal', () => {
  it('redraws the table in place, with seconds left, last outcome and next run', () => {
    let now = Date.parse('2026-06-01T12:00:00Z');
    const out: string[] = [];
    const view = new LiveView(
      (t) => void out.push(t),
      () => now,
      120,
      () => [],
    );
    view.start({
      mode: 'demo',
      dir: '.token-refresher/demo',
      server: 'http://127.0.0.1:1',
      providers: [{ id: 'nagra', tokenFile: '.token-refresher/demo/nagra.token.json', checkIntervalMinutes: 1 }],
      notes: [],
    });
    const report: RunReport = {
      result: { provider: 'nagra', outcome: 'refreshed', grant: 'refresh_token', expiresAt: now / 1000 + 300 },
      secondsRemaining: 300,
      attempts: [],
      credentialsRejected: false,
      guardEngaged: false,
      configurationBlocked: false,
      waitingForCredentials: false,
      tokenWrites: 1,
    };
    view.event({
      type: 'run',
      at: now,
      provider: 'nagra',
      tokenFile: '/abs/nagra.token.json',
      report,
      nextRunAt: now + 60_000,
    });
    now += 10_000;
    view.stopping('SIGINT', ['nagra']);
    const last = out.at(-1)!;
    // Cursor back to the top of the previous drawing, erase, draw again.
    expect(last.charCodeAt(0)).toBe(0x1b);
    expect(last).toMatch(/^.\[\d+F.\[J/);
    expect(last).toMatch(
      /nagra\s+\.token-refresher\/demo\/nagra\.token\.json\s+290s\s+refreshed \(refresh_token\)\s+in 50s/,
    );
    expect(last).toContain('SIGINT: stopping, finishing the run of nagra (Ctrl-C again to abandon it)');
    view.stopped();
    expect(out.at(-1)).toMatch(/refreshed \(refresh_token\)\s+-\n/);
  });
});
