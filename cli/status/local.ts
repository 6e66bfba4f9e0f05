import { readdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { privateStateSchema } from '../../contract/private-state.js';
import { checkPublishedToken } from '../../contract/published-token.js';
import { CliError } from '../common/errors.js';
import { formatExpiresIn, formatTime } from '../common/format-duration.js';
import type { CliIo } from '../common/io.js';
import { renderTable } from '../common/table.js';
import { oneLine } from '../common/text.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import {
  DEFAULT_LOCAL_DIR,
  DEMO_SUBDIR,
  pendingFilePath,
  providersInListing,
  stateFilePath,
  tokenFilePath,
} from '../../local/layout.js';
import { PENDING_TEXT, type PendingRecord, readPendingRecord } from '../../local/pending-record.js';
import { readBoundedFile } from '../../local/private-file.js';

export interface LocalStatusOptions {
  readonly dir?: string;
  readonly json: boolean;
}

interface Recorded {
  readonly at: number;
  readonly code: string;
}

/** One provider's local files, reduced at once to times and codes: no token or refresh token is kept. */
export interface LocalProviderStatus {
  readonly provider: string;
  readonly tokenFile: string;
  readonly token:
    | { readonly state: 'published'; readonly expiresAt: number; readonly issuedAt: number }
    | { readonly state: 'none' | 'invalid' };
  readonly guard?: Recorded & { readonly credentialsVersion: string };
  readonly blocked?: Recorded;
  /** A password or client_credentials grant whose outcome was not seen. */
  readonly unconfirmedSince?: number;
  readonly stateFile: 'ok' | 'none' | 'invalid';
  /** No credentials were ever given and no token was ever published: the last run's record. */
  readonly waiting?: PendingRecord;
}

function parse(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

async function readProvider(dir: string, provider: string): Promise<Omit<LocalProviderStatus, 'tokenFile'>> {
  const [tokenText, stateText, pending] = await Promise.all([
    readBoundedFile(tokenFilePath(dir, provider)),
    readBoundedFile(stateFilePath(dir, provider)),
    readPendingRecord(pendingFilePath(dir, provider)),
  ]);
  const checked = tokenText === undefined ? undefined : checkPublishedToken(parse(tokenText));
  const token: LocalProviderStatus['token'] =
    checked === undefined
      ? { state: 'none' }
      : checked.ok
        ? { state: 'published', expiresAt: checked.value.expires_at, issuedAt: checked.value.issued_at }
        : { state: 'invalid' };
  // Pending means no token was ever published: a record beside a token is left over, not current.
  const waiting = token.state === 'none' && typeof pending === 'object' ? { waiting: pending } : {};
  if (stateText === undefined) return { provider, token, stateFile: 'none', ...waiting };
  const state = privateStateSchema.safeParse(parse(stateText));
  if (!state.success) return { provider, token, stateFile: 'invalid', ...waiting };
  const { guard, blocked, pendingPrimary } = state.data;
  return {
    provider,
    token,
    stateFile: 'ok',
    ...waiting,
    ...(guard ? { guard: { at: guard.at, code: guard.code, credentialsVersion: guard.credentialsVersion } } : {}),
    ...(blocked ? { blocked: { at: blocked.at, code: blocked.code } } : {}),
    ...(pendingPrimary ? { unconfirmedSince: pendingPrimary.at } : {}),
  };
}

/** Every provider with a token or state file in the directory. */
export async function collectLocalStatus(dir: string, shown: (path: string) => string): Promise<LocalProviderStatus[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new CliError(
      `cannot read ${dir} (${code}): run "token-refresher run" (npm start) first, or pass --dir`,
      EXIT.usage,
    );
  }
  return Promise.all(
    providersInListing(names).map(async (provider) => ({
      ...(await readProvider(dir, provider)),
      tokenFile: shown(tokenFilePath(dir, provider)),
    })),
  );
}

const recorded = (r: Recorded | undefined) => (r ? `${oneLine(r.code)} since ${formatTime(r.at)}` : '-');

function tokenCells(p: LocalProviderStatus, nowMs: number): [string, string] {
  if (p.token.state === 'published')
    return [formatExpiresIn(p.token.expiresAt, nowMs), formatTime(p.token.issuedAt * 1000)];
  if (p.waiting) return [PENDING_TEXT, '-'];
  return [p.token.state === 'none' ? 'no token yet' : 'invalid file', '-'];
}

/** What to do, under the table: the core's note names the credentials file entry or variable to add. */
const waitingLine = (p: LocalProviderStatus) =>
  p.waiting
    ? [`${p.provider}: ${PENDING_TEXT}, last run ${formatTime(p.waiting.at)}: ${oneLine(p.waiting.description)}`]
    : [];

export function renderLocalStatus(providers: readonly LocalProviderStatus[], nowMs: number): string {
  const table = renderTable(
    ['PROVIDER', 'TOKEN FILE', 'EXPIRES IN', 'ISSUED AT', 'GUARD', 'BLOCKED'],
    providers.map((p) => {
      const unreadable = p.stateFile === 'invalid' ? '? (unreadable state file)' : undefined;
      const guard =
        p.unconfirmedSince !== undefined && !p.guard
          ? `unconfirmed_attempt since ${formatTime(p.unconfirmedSince)}`
          : recorded(p.guard);
      return [p.provider, p.tokenFile, ...tokenCells(p, nowMs), unreadable ?? guard, unreadable ?? recorded(p.blocked)];
    }),
  );
  const notes = providers.flatMap(waitingLine);
  return notes.length > 0 ? `${table}\n${notes.join('\n')}\n` : table;
}

function localStatusJson(providers: readonly LocalProviderStatus[]) {
  const iso = (r: Recorded | undefined) => (r ? { code: oneLine(r.code), at: formatTime(r.at) } : null);
  return providers.map((p) => ({
    provider: p.provider,
    tokenFile: p.tokenFile,
    token: p.token.state,
    expiresAt: p.token.state === 'published' ? p.token.expiresAt : null,
    issuedAt: p.token.state === 'published' ? p.token.issuedAt : null,
    stateFile: p.stateFile,
    guard: iso(p.guard),
    blocked: iso(p.blocked),
    unconfirmedSince: p.unconfirmedSince === undefined ? null : formatTime(p.unconfirmedSince),
    waitingForCredentials: p.waiting
      ? { lastRunAt: formatTime(p.waiting.at), description: oneLine(p.waiting.description) }
      : null,
  }));
}

/**
 * `status --local`: what `run` keeps in its directory. Exit 0 when every token has time left and no
 * guard or block is recorded, else 1, as `status` does for a deployed stack.
 */
export async function runLocalStatus(options: LocalStatusOptions, io: CliIo): Promise<ExitCode> {
  const shown = (path: string) => (path.startsWith(io.cwd) ? relative(io.cwd, path) : path);
  const { dir, providers } = await chooseLocalDir(options, io, shown);
  const nowMs = io.now();
  if (options.json) io.stdout(`${JSON.stringify(localStatusJson(providers), null, 2)}\n`);
  else if (providers.length === 0) io.stdout(`no token or state files in ${shown(dir) || '.'}\n`);
  else io.stdout(renderLocalStatus(providers, nowMs));
  const healthy = providers.every(
    (p) =>
      p.token.state === 'published' &&
      p.token.expiresAt * 1000 > nowMs &&
      !p.guard &&
      !p.blocked &&
      p.stateFile !== 'invalid',
  );
  return healthy ? EXIT.ok : EXIT.failed;
}

/**
 * The directory `--dir` names, else the default one. When the default holds nothing but the demo
 * (`npm start` without credentials) has run, the demo's, for a person at a terminal: that is what
 * a user who just ran it means.
 */
async function chooseLocalDir(
  options: LocalStatusOptions,
  io: CliIo,
  shown: (path: string) => string,
): Promise<{ dir: string; providers: Awaited<ReturnType<typeof collectLocalStatus>> }> {
  const dir = resolve(io.cwd, options.dir ?? DEFAULT_LOCAL_DIR);
  const providers = await collectLocalStatus(dir, shown);
  // Scripts (--json) get exactly the directory they name or the default, never a guess.
  if (options.dir !== undefined || options.json) return { dir, providers };
  const demoDir = join(dir, DEMO_SUBDIR);
  const demo = providersInListing(await readdir(demoDir).catch(() => []));
  if (demo.length === 0) return { dir, providers };
  if (providers.length > 0) {
    io.stderr(`the demo's files are in ${shown(demoDir)}: add --dir ${shown(demoDir)}\n`);
    return { dir, providers };
  }
  io.stderr(`no token or state files in ${shown(dir)}; showing the demo's, in ${shown(demoDir)}\n`);
  return { dir: demoDir, providers: await collectLocalStatus(demoDir, shown) };
}
