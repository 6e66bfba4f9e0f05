import { join, relative, resolve } from 'node:path';
import { ProvidersFileError, parseProvidersFile, type ResolvedProvider } from '../../providers/providers-file.js';
import { parseProvidersJson } from '../../providers/providers-json.js';
import { STORE_MAX_BYTES } from '../../contract/published-token.js';
import { CredentialsUnavailableError } from '../../core/ports.js';
import { type Demo, startDemo } from '../../local/demo/demo-setup.js';
import { CliError, errorMessage, UsageError } from '../common/errors.js';
import type { CliIo } from '../common/io.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { DirectoryBusyError, type DirectoryLock, lockDirectory } from '../../local/dir-lock.js';
import { DEFAULT_LOCAL_DIR, DEMO_SUBDIR, pendingFilePath, stateFilePath, tokenFilePath } from '../../local/layout.js';
import { loadVersionKey } from '../../local/credentials/credentials-version.js';
import { hasCredentialsEnv, LocalCredentials, readCredentialsFile } from '../../local/credentials/local-credentials.js';
import { rekeyStateFile } from '../../local/credentials/rekey-state.js';
import { ensurePrivateDir, readBoundedFile } from '../../local/private-file.js';
import { type LocalEvent, type LocalProvider, LocalRunner } from '../../local/runner.js';
import type { RunHost } from './host.js';
import { LiveView } from './live-view.js';
import { JsonView, LineView, type RunView } from './views.js';

export interface RunOptions {
  readonly providersFile: string;
  readonly credentialsFile?: string;
  readonly dir?: string;
  readonly json: boolean;
  readonly once: boolean;
  /** Use the embedded demo even though credentials are configured. */
  readonly demo: boolean;
  readonly demoFaults: boolean;
}

/**
 * The demo runs unless credentials are configured: `--credentials-file`, or any
 * `TOKEN_REFRESHER_CREDENTIALS_<ID>` variable. So `npm start` on a fresh clone shows the demo, and the
 * same command with credentials talks to the real IdPs; `--demo` and `--demo-faults` force the demo.
 */
export function usesDemo(options: RunOptions, env: CliIo['env']): boolean {
  if (options.demo || options.demoFaults) {
    if (options.credentialsFile !== undefined) {
      throw new UsageError('--demo and --demo-faults use built-in credentials; drop --credentials-file', 'run');
    }
    return true;
  }
  return options.credentialsFile === undefined && !hasCredentialsEnv(env);
}

async function readProvidersJson(path: string): Promise<unknown> {
  let text: string | undefined;
  try {
    text = await readBoundedFile(path);
  } catch (error) {
    throw new CliError(`cannot read providers file ${path} (${errorMessage(error)})`, EXIT.usage);
  }
  if (text === undefined)
    throw new CliError(`providers file ${path} does not exist; pass --providers-file <path>`, EXIT.usage);
  try {
    return parseProvidersJson(text);
  } catch (error) {
    throw new CliError(
      `providers file ${path} is not valid JSON: ${errorMessage(error)}`,
      EXIT.usage,
      'providers_file',
    );
  }
}

function parseProviders(raw: unknown, source: string): ResolvedProvider[] {
  try {
    return parseProvidersFile(raw, source, { target: 'local' });
  } catch (error) {
    // Its message already names the file, the provider, the field, the value and what is allowed.
    if (error instanceof ProvidersFileError) throw new CliError(error.message, EXIT.usage, 'providers_file');
    throw error;
  }
}

/** The providers of a providers file as local mode runs them (`connect --local` reads them too). */
export async function readLocalProviders(providersFile: string, io: CliIo): Promise<ResolvedProvider[]> {
  const path = resolve(io.cwd, providersFile);
  return parseProviders(await readProvidersJson(path), path);
}

async function realProviders(
  raw: unknown,
  source: string,
  dir: string,
  versionKey: Buffer,
  options: RunOptions,
  io: CliIo,
) {
  const credentialsFile = options.credentialsFile === undefined ? undefined : resolve(io.cwd, options.credentialsFile);
  if (credentialsFile !== undefined) {
    // Checked once up front (mode 0600, JSON shape), so a mistake stops the start, not every run.
    try {
      await readCredentialsFile(credentialsFile);
    } catch (error) {
      if (error instanceof CredentialsUnavailableError) throw new CliError(error.message, EXIT.usage);
      throw error;
    }
  }
  return parseProviders(raw, source).map((p): LocalProvider => ({
    settings: p.settings,
    tokenFile: tokenFilePath(dir, p.settings.id),
    stateFile: stateFilePath(dir, p.settings.id),
    pendingFile: pendingFilePath(dir, p.settings.id),
    maxBytes: STORE_MAX_BYTES[p.store],
    credentials: new LocalCredentials(p.settings.id, credentialsFile, io.env, versionKey),
  }));
}

function chooseView(options: RunOptions, io: CliIo, host: RunHost, runner: () => LocalRunner | undefined): RunView {
  if (options.json) return new JsonView(io.stdout);
  if (host.stdoutIsTTY && !options.once) {
    return new LiveView(
      io.stdout,
      () => host.clock.now(),
      host.columns,
      () => runner()?.inFlight() ?? [],
    );
  }
  return new LineView(io.stdout, () => host.clock.now());
}

/** A file the start cannot do without (the version key, a state file to rekey): its failure ends the start. */
async function startupStep<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw new CliError(errorMessage(error), EXIT.usage);
  }
}

/** The local directory, created private and locked for this process; its failures are usage errors. */
async function openDirectory(dir: string): Promise<DirectoryLock> {
  try {
    await ensurePrivateDir(dir);
  } catch (error) {
    throw new CliError(`cannot create ${dir} (${errorMessage(error)}); pass --dir <directory>`, EXIT.usage);
  }
  try {
    return await lockDirectory(dir);
  } catch (error) {
    if (error instanceof DirectoryBusyError) throw new CliError(error.message, EXIT.usage);
    throw new CliError(`cannot lock ${dir} (${errorMessage(error)}); pass --dir <directory>`, EXIT.usage);
  }
}

interface StartContext {
  readonly options: RunOptions;
  readonly io: CliIo;
  readonly host: RunHost;
  readonly raw: unknown;
  readonly providersPath: string;
  readonly dir: string;
  readonly note: (provider: string | undefined, message: string) => void;
}

/**
 * The providers to run, from the demo's embedded IdPs or the real ones, with every state file keyed
 * for this directory's version key before the first run reads it.
 */
async function startProviders(
  ctx: StartContext,
  demoMode: boolean,
): Promise<{ providers: readonly LocalProvider[]; demo?: Demo }> {
  const { options, io, host, raw, providersPath, dir, note } = ctx;
  const versionKey = await startupStep(() => loadVersionKey(dir));
  let demo: Demo | undefined;
  let providers: readonly LocalProvider[];
  if (demoMode) {
    const clock = host.clock;
    demo = await startDemo({ raw, source: providersPath, dir, clock, versionKey, faults: options.demoFaults, note });
    providers = demo.providers;
  } else {
    providers = await realProviders(raw, providersPath, dir, versionKey, options, io);
  }
  try {
    for (const p of providers) {
      const current = () => p.credentials.read().catch(() => undefined);
      await startupStep(() => rekeyStateFile(p.stateFile, versionKey, current));
    }
  } catch (error) {
    await demo?.server.close();
    throw error;
  }
  return demo ? { providers, demo } : { providers };
}

/** Runs until Ctrl-C, or until each provider ran once with `--once`; a signal also releases the lock. */
async function runUntilStopped(runner: LocalRunner, view: RunView, host: RunHost, lock: DirectoryLock): Promise<void> {
  const removeHandlers = host.onSignals(
    (signal) => {
      view.stopping(signal, runner.inFlight());
      void runner.stop();
    },
    // Abandoning a run is safe for the files (each write is atomic, the state is written before the
    // token); only the lock must go, or the next start would have to take it over.
    () => lock.releaseSync(),
  );
  host.attach?.(runner);
  runner.start();
  try {
    await runner.done;
  } finally {
    removeHandlers();
  }
  view.stopped();
}

/**
 * `token-refresher run` (and `npm start`): keeps every provider's token fresh on this machine until
 * Ctrl-C, or runs each provider once with `--once`. Exit 0 when stopped by a signal, or with `--once`
 * when no run failed; 1 when a `--once` run failed.
 */
export async function runLocal(options: RunOptions, io: CliIo, host: RunHost): Promise<ExitCode> {
  const demoMode = usesDemo(options, io.env);
  const providersPath = resolve(io.cwd, options.providersFile);
  const raw = await readProvidersJson(providersPath);
  const baseDir = resolve(io.cwd, options.dir ?? DEFAULT_LOCAL_DIR);
  const dir = demoMode ? join(baseDir, DEMO_SUBDIR) : baseDir;
  // Paths as the user would type them from here, for the consumer hint and the table.
  const shown = (path: string) => (path.startsWith(io.cwd) ? relative(io.cwd, path) || '.' : path);

  let runner: LocalRunner | undefined;
  const view = chooseView(options, io, host, () => runner);
  const notes: LocalEvent[] = [];
  const note = (provider: string | undefined, message: string) => {
    const event: LocalEvent = { type: 'note', at: host.clock.now(), ...(provider ? { provider } : {}), message };
    if (runner) view.event(event);
    else notes.push(event);
  };

  const lock = await openDirectory(dir);
  let demo: Demo | undefined;
  try {
    const started = await startProviders({ options, io, host, raw, providersPath, dir, note }, demoMode);
    const { providers } = started;
    demo = started.demo;
    let failed = false;
    runner = new LocalRunner({
      providers,
      clock: host.clock,
      sleep: host.sleep,
      timers: host.timers,
      once: options.once,
      onEvent: (event) => {
        if (event.type === 'crash' || (event.type === 'run' && event.report.result.outcome === 'failed')) failed = true;
        view.event(event);
      },
    });
    view.start({
      mode: demoMode ? 'demo' : 'real',
      dir: shown(dir),
      ...(demo ? { server: demo.server.url } : {}),
      providers: providers.map((p) => ({
        id: p.settings.id,
        tokenFile: shown(p.tokenFile),
        checkIntervalMinutes: p.settings.checkIntervalMinutes,
      })),
      notes: demo?.summary ?? [],
    });
    for (const event of notes) view.event(event);
    await runUntilStopped(runner, view, host, lock);
    return options.once && failed ? EXIT.failed : EXIT.ok;
  } finally {
    await demo?.server.close();
    await lock.release();
  }
}
