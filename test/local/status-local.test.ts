import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliForTest } from '../cli/helpers.js';

const NOW_MS = Date.UTC(2026, 11, 3, 12, 0, 0);
const now = NOW_MS / 1000;

/** A project directory whose `.token-refresher/<sub>` holds one provider's published token. */
function project(tokens: Record<string, string>): string {
  const cwd = mkdtempSync(join(tmpdir(), 'token-refresher-status-local-'));
  for (const [sub, provider] of Object.entries(tokens)) {
    const dir = join(cwd, '.token-refresher', sub);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const token = { access_token: 'at-x', token_type: 'Bearer', expires_at: now + 240, issued_at: now - 60, provider };
    writeFileSync(join(dir, `${provider}.token.json`), JSON.stringify(token), { mode: 0o600 });
  }
  return cwd;
}

describe('status --local without --dir', () => {
  it("shows the demo's files when the default directory holds none, and says so", async () => {
    const cwd = project({ demo: 'mediamelon' });

    const { code, stdout, stderr } = await runCliForTest(['status', '--local'], { cwd, now: () => NOW_MS });

    expect(stderr).toBe("no token or state files in .token-refresher; showing the demo's, in .token-refresher/demo\n");
    expect(stdout).toMatch(/^mediamelon\s.*4m/m);
    expect(code).toBe(0);
  });

  it("shows the default directory's files when it has some, and points at the demo's", async () => {
    const cwd = project({ '': 'acme', demo: 'mediamelon' });

    const { code, stdout, stderr } = await runCliForTest(['status', '--local'], { cwd, now: () => NOW_MS });

    expect(code).toBe(0);
    expect(stdout).toMatch(/^acme\s/m);
    expect(stdout).not.toContain('mediamelon');
    expect(stderr).toBe("the demo's files are in .token-refresher/demo: add --dir .token-refresher/demo\n");
  });

  it('says what to run when there is no directory at all', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'token-refresher-status-local-'));

    const { code, stdout, stderr } = await runCliForTest(['status', '--local'], { cwd, now: () => NOW_MS });

    expect(stdout).toBe('');
    expect(stderr).toMatch(/cannot read .*\.token-refresher \(ENOENT\): run "token-refresher run" \(npm start\) first/);
    expect(code).toBe(2);
  });

  it('under --json reads the default directory only: scripts name the directory they mean', async () => {
    const cwd = project({ demo: 'mediamelon' });

    const { code, stdout, stderr } = await runCliForTest(['status', '--local', '--json'], { cwd, now: () => NOW_MS });

    expect(JSON.parse(stdout)).toEqual([]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
