import { resolve } from 'node:path';
import { STORE_MAX_BYTES } from '../../contract/published-token.js';
import { writeConnection } from '../../core/connection-state.js';
import type { Log } from '../../core/ports.js';
import { Redactor } from '../../core/redactor.js';
import type { RunReport } from '../../core/refresh.js';
import { loadVersionKey } from '../../local/credentials/credentials-version.js';
import { LocalCredentials } from '../../local/credentials/local-credentials.js';
import { DirectoryBusyError, type DirectoryLock, lockDirectory } from '../../local/dir-lock.js';
import { DEFAULT_LOCAL_DIR, pendingFilePath, stateFilePath, tokenFilePath } from '../../local/layout.js';
import { ensurePrivateDir } from '../../local/private-file.js';
import { type LocalProvider, LocalRunner, realTimers } from '../../local/runner.js';
import { FileStateStore } from '../../local/stores/file-state-store.js';
import { CliError, errorMessage, UsageError } from '../common/errors.js';
import type { CliIo } from '../common/io.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { readLocalProviders } from '../run/command.js';
import { type ConnectDeps, type ConnectSource, describeProof, obtain } from './command.js';

export interface LocalConnectOptions {
  readonly provider: string;
  readonly from: ConnectSource;
  readonly providersFile: string;
  readonly dir?: string;
  readonly json: boolean;
}

/**
 * The directory's lock for the whole connection. While a `run` holds it, that run may be presenting
 * the old refresh token: a state written beside it could be overwritten by the run's own write (the
 * new refresh token lost), or, with rotation, race it into presenting a superseded one. So connect
 * refuses before anyone signs in, and says which process to stop.
 */
async function lockFor(dir: string): Promise<DirectoryLock> {
  try {
    await ensurePrivateDir(dir);
    return await lockDirectory(dir);
  } catch (error) {
    if (error instanceof DirectoryBusyError) {
      throw new CliError(
        `${error.message}; connect writes the refresh token only while no run uses the directory: stop it ` +
          '(Ctrl-C), connect, then start it again',
        EXIT.usage,
        'directory_busy',
      );
    }
    throw new CliError(`cannot lock ${dir} (${errorMessage(error)}); pass --dir <directory>`, EXIT.usage);
  }
}

/** One run of the provider, as `run --once` runs it: the proof that the stored refresh token works. */
async function runOnce(provider: LocalProvider, io: CliIo): Promise<RunReport | undefined> {
  let report: RunReport | undefined;
  const runner = new LocalRunner({
    providers: [provider],
    clock: { now: io.now },
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    timers: realTimers,
    once: true,
    onEvent: (event) => {
      if (event.type === 'run') report = event.report;
    },
  });
  runner.start();
  await runner.done;
  return report;
}

/**
 * `token-refresher connect <provider> --local`: the same ways of obtaining the refresh token, stored
 * in local mode's state file (mode 0600) through the store `run` reads, then one local run with it.
 */
export async function runConnectLocal(options: LocalConnectOptions, io: CliIo, deps: ConnectDeps): Promise<ExitCode> {
  const dir = resolve(io.cwd, options.dir ?? DEFAULT_LOCAL_DIR);
  const found = (await readLocalProviders(options.providersFile, io)).find((p) => p.settings.id === options.provider);
  if (!found) {
    throw new UsageError(
      `provider "${options.provider}" is not in ${options.providersFile}: name one of its providers`,
      'connect',
    );
  }
  const { settings } = found;
  if (settings.grant !== 'refresh_token') {
    throw new UsageError(
      `provider "${options.provider}" has grant "${settings.grant}": connect is for providers with grant ` +
        '"refresh_token", whose refresh token a person obtains',
      'connect',
    );
  }
  const lock = await lockFor(dir);
  try {
    const redactor = new Redactor();
    const connection = await obtain(settings, options.from, io, deps, redactor);
    redactor.add(connection.refreshToken);
    const stateFile = stateFilePath(dir, settings.id);
    const warnings: Log = { info: () => undefined, warn: (message) => io.stderr(`warning: ${message}\n`) };
    await writeConnection(new FileStateStore(stateFile, warnings), settings, connection, io.now());
    const versionKey = await loadVersionKey(dir);
    const report = await runOnce(
      {
        settings,
        tokenFile: tokenFilePath(dir, settings.id),
        stateFile,
        pendingFile: pendingFilePath(dir, settings.id),
        maxBytes: STORE_MAX_BYTES[found.store],
        credentials: new LocalCredentials(settings.id, undefined, io.env, versionKey),
      },
      io,
    );
    const result = report?.result ?? { provider: settings.id, outcome: 'failed' as const };
    const proof = redactor.redact(describeProof(result, io.now()));
    if (options.json) {
      io.stdout(`${redactor.redact(JSON.stringify({ provider: settings.id, stored: stateFile, result }, null, 2))}\n`);
    } else {
      io.stdout(`connected ${settings.id}: refresh token stored in ${stateFile}; ${proof}\n`);
    }
    return result.outcome === 'refreshed' || result.outcome === 'fresh' ? EXIT.ok : EXIT.failed;
  } finally {
    await lock.release();
  }
}
