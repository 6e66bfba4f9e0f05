import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileStateStore } from '../../local/stores/file-state-store.js';
import { FileTokenStore } from '../../local/stores/file-token-store.js';
import { LocalCredentials, readCredentialsFile } from '../../local/credentials/local-credentials.js';
import { lockDirectory } from '../../local/dir-lock.js';
import { TokenReader } from '../../consumer/token-reader.js';
import { CredentialsUnavailableError } from '../../core/ports.js';

const silent = { info: () => undefined, warn: () => undefined };
const tempDir = () => mkdtempSync(join(tmpdir(), 'token-refresher-files-'));
const SECRET = `pä ss "<>&'% wörd`;
const KEY = Buffer.alloc(32, 7);

describe('file token and state stores', () => {
  it('write 0600 files atomically, leaving no temp file, and read back what they wrote', async () => {
    const dir = tempDir();
    const tokens = new FileTokenStore(join(dir, 'p.token.json'), 8192, silent);
    const states = new FileStateStore(join(dir, 'p.state.json'), silent);
    const token = {
      access_token: 'at',
      token_type: 'Bearer' as const,
      expires_at: 2000,
      issued_at: 1000,
      provider: 'p',
    };
    await tokens.write(token);
    await states.write({ v: 1, fingerprint: 'f', refreshToken: 'rt' });
    expect(await tokens.read()).toEqual(token);
    expect(await states.read()).toEqual({ v: 1, fingerprint: 'f', refreshToken: 'rt' });
    for (const name of ['p.token.json', 'p.state.json']) expect(statSync(join(dir, name)).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).sort()).toEqual(['p.state.json', 'p.token.json']);
  });

  it('treat a broken state file as the SSM adapter does: no refresh token, but the guard is kept', async () => {
    const dir = tempDir();
    const path = join(dir, 'p.state.json');
    const states = new FileStateStore(path, silent);
    const guard = { credentialsVersion: 'file-abc', at: 1, code: 'invalid_grant', description: 'x' };
    writeFileSync(path, JSON.stringify({ v: 2, refreshToken: 5, guard }));
    expect(await states.read()).toEqual({ v: 1, fingerprint: '', guard });
    writeFileSync(path, 'not json');
    expect(await states.read()).toBeUndefined();
  });

  it('refuse a file larger than the bound instead of reading it whole', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'p.token.json'), ' '.repeat(300 * 1024));
    await expect(new FileTokenStore(join(dir, 'p.token.json'), 8192, silent).read()).rejects.toMatchObject({
      name: 'EFBIG',
    });
  });

  it('never let a consumer see half a token while the file is replaced', async () => {
    const dir = tempDir();
    const path = join(dir, 'p.token.json');
    const store = new FileTokenStore(path, 65_536, silent);
    const now = Math.floor(Date.now() / 1000);
    const token = (i: number) => ({
      access_token: `${'x'.repeat(20_000)}-${i}`,
      token_type: 'Bearer' as const,
      expires_at: now + 3600,
      issued_at: now,
      provider: 'p',
    });
    await store.write(token(0));
    let writing = true;
    const writer = (async () => {
      for (let i = 1; i < 60; i++) await store.write(token(i));
      writing = false;
    })();
    const seen = new Set<string>();
    while (writing) {
      // A new reader each time: no cache, every read is a real read of the file.
      const read = await new TokenReader({ tokenSource: `file:${path}` }).getToken();
      expect(read.access_token).toMatch(/^x{20000}-\d+$/);
      seen.add(read.access_token);
    }
    await writer;
    expect(seen.size).toBeGreaterThan(1);
  });
});

describe('local credentials', () => {
  function credentialsFile(content: unknown, mode = 0o600): string {
    const path = join(tempDir(), 'credentials.json');
    writeFileSync(path, JSON.stringify(content));
    chmodSync(path, mode);
    return path;
  }

  it('refuse a file others can read, naming the file and the fix', async () => {
    const path = credentialsFile({ nagra: { username: 'u', password: SECRET } }, 0o644);
    const error = await readCredentialsFile(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialsUnavailableError);
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toContain(`chmod 600 ${path}`);
    expect((error as Error).message).toContain('0644');
    expect((error as Error).message).not.toContain(SECRET);
  });

  it('version the credentials by a keyed hash of the entry: an edit is a new version, the secret is not in it', async () => {
    const path = credentialsFile({ nagra: { username: 'u', password: SECRET }, other: { client_secret: 'y' } });
    const source = new LocalCredentials('nagra', path, {}, KEY);
    const first = await source.read();
    expect(first.values).toEqual({ username: 'u', password: SECRET });
    expect(first.versionId).toMatch(/^file-[0-9a-f]{16}$/);
    // Another provider's entry changing is not a new version of this one's.
    writeFileSync(path, JSON.stringify({ nagra: { password: SECRET, username: 'u' }, other: { client_secret: 'z' } }));
    expect((await source.read()).versionId).toBe(first.versionId);
    writeFileSync(path, JSON.stringify({ nagra: { username: 'u', password: `${SECRET}!` } }));
    expect((await source.read()).versionId).not.toBe(first.versionId);
  });

  it('take TOKEN_REFRESHER_CREDENTIALS_<ID> over the file, and say what is missing', async () => {
    const path = credentialsFile({ 'my-idp': { client_secret: 'from-file' } });
    const env = { TOKEN_REFRESHER_CREDENTIALS_MY_IDP: JSON.stringify({ client_secret: SECRET }) };
    const fromEnv = await new LocalCredentials('my-idp', path, env, KEY).read();
    expect(fromEnv.values).toEqual({ client_secret: SECRET });
    expect(fromEnv.versionId).toMatch(/^env-/);
    await expect(new LocalCredentials('absent', path, {}, KEY).read()).rejects.toThrow(
      /has no entry "absent".*TOKEN_REFRESHER_CREDENTIALS_ABSENT/,
    );
    await expect(
      new LocalCredentials('my-idp', undefined, { TOKEN_REFRESHER_CREDENTIALS_MY_IDP: SECRET }, KEY).read(),
    ).rejects.toSatisfy((e: Error) => e.message.includes('is not JSON') && !e.message.includes(SECRET));
  });
});

describe('the directory lock', () => {
  it('refuses a directory another live run holds, and takes over a lock whose process is gone', async () => {
    const dir = tempDir();
    // The parent process (vitest) is alive: as if another run held the directory.
    writeFileSync(join(dir, '.lock'), `${process.ppid}\n`);
    await expect(lockDirectory(dir)).rejects.toThrow(
      `another token-refresher run (pid ${process.ppid}) is using ${dir}`,
    );
    expect(readdirSync(dir)).toEqual(['.lock']);
    writeFileSync(join(dir, '.lock'), '999999999\n');
    const lock = await lockDirectory(dir);
    expect(readdirSync(dir, { withFileTypes: true }).map((e) => e.name)).toEqual(['.lock']);
    expect(readFileSync(join(dir, '.lock'), 'utf8')).toMatch(new RegExp(`^${process.pid} [0-9a-f]{32}\n$`));
    await expect(lockDirectory(dir)).rejects.toThrow(`another token-refresher run (pid ${process.pid})`);
    await lock.release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it("takes over a lock with this process's pid that this process does not hold (a pid reused after a reboot)", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.lock'), `${process.pid} ${'0'.repeat(32)}\n`);
    const lock = await lockDirectory(dir);
    expect(readFileSync(join(dir, '.lock'), 'utf8')).not.toContain('0'.repeat(32));
    await lock.release();
  });

  it('passes over a takeover marker whose process died halfway, and removes it', async () => {
    const dir = tempDir();
    const stale = '999999999\n';
    writeFileSync(join(dir, '.lock'), stale);
    const marker = `${join(dir, '.lock')}.takeover-${createHash('sha256').update(stale).digest('hex').slice(0, 16)}`;
    writeFileSync(marker, '999999998 abc\n');
    const lock = await lockDirectory(dir);
    expect(readdirSync(dir)).toEqual(['.lock']);
    lock.releaseSync();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('waits for a takeover a live process has begun instead of replacing the lock under it', async () => {
    const dir = tempDir();
    const stale = '999999999\n';
    writeFileSync(join(dir, '.lock'), stale);
    const marker = `${join(dir, '.lock')}.takeover-${createHash('sha256').update(stale).digest('hex').slice(0, 16)}`;
    writeFileSync(marker, `${process.ppid} abc\n`);
    await expect(lockDirectory(dir)).rejects.toThrow(`another token-refresher run (pid ${process.ppid})`);
    expect(readFileSync(join(dir, '.lock'), 'utf8')).toBe(stale);
    expect(readdirSync(dir).sort()).toEqual(['.lock', marker.slice(dir.length + 1)].sort());
  });

  it('leaves a lock alone on release once it is no longer ours', async () => {
    const dir = tempDir();
    const lock = await lockDirectory(dir);
    writeFileSync(join(dir, '.lock'), `${process.ppid} ${'1'.repeat(32)}\n`);
    await lock.release();
    lock.releaseSync();
    expect(readFileSync(join(dir, '.lock'), 'utf8')).toBe(`${process.ppid} ${'1'.repeat(32)}\n`);
  });
});
