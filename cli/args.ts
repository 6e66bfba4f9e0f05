import { parseArgs } from 'node:util';
import type { ManifestSource } from './common/deployment.js';
import type { StackOptions } from './common/stack-options.js';
import { UsageError } from './common/errors.js';
import { guard, nonEmpty, onePositional } from './common/arg-checks.js';
import { DEFAULT_STAGE } from '../contract/naming.js';
import {
  CHECK_HELP,
  CONNECT_HELP,
  CLEANUP_HELP,
  DEFAULT_PROVIDERS_FILE,
  PLAN_HELP,
  PUBLIC_KEY_HELP,
  REFRESH_HELP,
  RUN_HELP,
  STATUS_HELP,
  TOP_HELP,
} from './help.js';
import type { CheckOptions } from './check/command.js';

export type { StackOptions } from './common/stack-options.js';
import type { CleanupOptions } from './cleanup/command.js';
import { parseCleanup } from './cleanup/args.js';
import { CREDENTIALS_LAYOUTS, type CredentialsLayout } from '../providers/fleet.js';
import type { ConnectOptions, ConnectSource } from './connect/command.js';
import type { LocalConnectOptions } from './connect/local.js';
import type { PlanOptions } from './plan/command.js';
import {
  DEFAULT_CERTIFICATE_DAYS,
  MAX_CERTIFICATE_DAYS,
  PUBLIC_KEY_FORMATS,
  type PublicKeyFormat,
  type PublicKeyOptions,
} from './public-key/command.js';
import { controlCharacterProblem } from '../contract/control-characters.js';
import type { RunOptions } from './run/command.js';

export interface StatusOptions extends StackOptions {
  /** Provider ids to show; empty: every provider. */
  readonly providers: readonly string[];
  /** Every column, however wide; the default table fits 100 columns. */
  readonly wide: boolean;
}

export type Command =
  | { readonly name: 'help'; readonly text: string }
  | { readonly name: 'version' }
  | ({ readonly name: 'status' } & StatusOptions)
  | ({ readonly name: 'refresh'; readonly provider: string } & StackOptions)
  | ({ readonly name: 'check' } & CheckOptions)
  | ({ readonly name: 'connect' } & ConnectOptions)
  | ({ readonly name: 'run' } & RunOptions)
  | ({ readonly name: 'plan' } & PlanOptions)
  | ({ readonly name: 'public-key' } & PublicKeyOptions)
  | ({ readonly name: 'cleanup' } & CleanupOptions)
  | { readonly name: 'status-local'; readonly dir?: string; readonly json: boolean }
  | ({ readonly name: 'connect-local' } & LocalConnectOptions);

const COMMAND_HELP = {
  status: STATUS_HELP,
  refresh: REFRESH_HELP,
  check: CHECK_HELP,
  connect: CONNECT_HELP,
  run: RUN_HELP,
  plan: PLAN_HELP,
  'public-key': PUBLIC_KEY_HELP,
  cleanup: CLEANUP_HELP,
} as const;
type CommandName = keyof typeof COMMAND_HELP;

const isCommand = (name: string | undefined): name is CommandName => name !== undefined && name in COMMAND_HELP;

const help = { type: 'boolean', short: 'h' } as const;
const json = { type: 'boolean' } as const;
const string = { type: 'string' } as const;
const stackOptions = {
  stack: string,
  stage: string,
  'outputs-file': string,
  region: string,
  profile: string,
  json,
  help,
} as const;
const checkOptions = { 'providers-file': string, ...stackOptions } as const;
const connectOptions = {
  ...stackOptions,
  device: { type: 'boolean' },
  'no-browser': { type: 'boolean' },
  'refresh-token-file': string,
  'refresh-token-stdin': { type: 'boolean' },
  local: { type: 'boolean' },
  dir: string,
  'providers-file': string,
} as const;
const planOptions = { 'providers-file': string, stage: string, 'credentials-layout': string, json, help } as const;
const publicKeyOptions = { ...stackOptions, format: string, cn: string, days: string } as const;
const statusOptions = { ...stackOptions, wide: { type: 'boolean' }, local: { type: 'boolean' }, dir: string } as const;
/** The options that choose what AWS reads; `status --local` reads files and takes none of them. */
const AWS_OPTIONS = ['stack', 'stage', 'outputs-file', 'region', 'profile'] as const;
const runOptions = {
  'providers-file': { type: 'string' },
  'credentials-file': { type: 'string' },
  dir: { type: 'string' },
  json,
  once: { type: 'boolean' },
  demo: { type: 'boolean' },
  'demo-faults': { type: 'boolean' },
  help,
} as const;

/** Turns argv (without node and the script) into a command; throws UsageError for anything else. */
export function parseCommand(argv: readonly string[]): Command {
  const [first, ...rest] = argv;
  if (first === undefined)
    throw new UsageError('missing <command>: status, refresh, check, connect, run, plan, public-key or cleanup');
  if (first === '-h' || first === '--help') return { name: 'help', text: TOP_HELP };
  if (first === '-V' || first === '--version') return { name: 'version' };
  if (first === 'help') {
    const topic = rest[0];
    if (topic === undefined) return { name: 'help', text: TOP_HELP };
    if (!isCommand(topic))
      throw new UsageError(
        `unknown command "${topic}": use status, refresh, check, connect, run, plan, public-key or cleanup`,
      );
    return { name: 'help', text: COMMAND_HELP[topic] };
  }
  if (!isCommand(first)) {
    throw new UsageError(
      first.startsWith('-')
        ? `unknown option ${first} (options follow the command)`
        : `unknown command "${first}": use status, refresh, check, connect, run, plan, public-key or cleanup`,
    );
  }

  if (first === 'check') return parseCheck(rest);
  if (first === 'connect') return parseConnect(rest);
  if (first === 'run') return parseRun(rest);
  if (first === 'plan') return parsePlan(rest);
  if (first === 'public-key') return parsePublicKey(rest);
  if (first === 'cleanup') return parseCleanup(rest);
  if (first === 'status') {
    const local = parseStatusLocal(rest);
    if (local) return local;
  }

  const { values, positionals } = guard(first, () =>
    parseArgs({
      args: rest,
      options: first === 'status' ? statusOptions : stackOptions,
      allowPositionals: true,
      strict: true,
    }),
  );
  if (values.help) return { name: 'help', text: COMMAND_HELP[first] };
  const region = nonEmpty(first, 'region', values.region);
  const profile = nonEmpty(first, 'profile', values.profile);
  const common: StackOptions = {
    source: manifestSource(first, values),
    ...(region === undefined ? {} : { region }),
    ...(profile === undefined ? {} : { profile }),
    json: values.json ?? false,
  };
  if (first === 'status') {
    const wide = 'wide' in values && values.wide === true;
    if (wide && common.json) throw new UsageError('--wide is for the table; --json already has every field', first);
    return { name: 'status', ...common, providers: [...new Set(positionals)], wide };
  }
  return { name: 'refresh', provider: onePositional(first, positionals), ...common };
}

/** --stage, --stack and --outputs-file: a stage's stacks by default, one stack, or a deploy's outputs. */
function manifestSource(
  command: CommandName,
  values: { stack?: string; stage?: string; 'outputs-file'?: string },
): ManifestSource {
  const stack = nonEmpty(command, 'stack', values.stack);
  const stage = nonEmpty(command, 'stage', values.stage);
  const outputsFile = nonEmpty(command, 'outputs-file', values['outputs-file']);
  if (outputsFile !== undefined) {
    // The outputs file holds outputs only, no tags: nothing in it says which stage a stack belongs to.
    if (stage !== undefined) {
      throw new UsageError('--outputs-file has no stage tags: pick a stack of the file with --stack', command);
    }
    return { kind: 'outputs-file', path: outputsFile, ...(stack === undefined ? {} : { stack }) };
  }
  if (stack !== undefined) return { kind: 'stack', stack, ...(stage === undefined ? {} : { stage }) };
  return { kind: 'stage', stage: stage ?? DEFAULT_STAGE };
}

/** `check <provider>`: from a providers file, or from a deployment (--stage, --stack, --outputs-file). */
function parseCheck(rest: readonly string[]): Command {
  const { values, positionals } = guard('check', () =>
    parseArgs({ args: [...rest], options: checkOptions, allowPositionals: true, strict: true }),
  );
  if (values.help) return { name: 'help', text: CHECK_HELP };
  const provider = onePositional('check', positionals);
  const providersFile = nonEmpty('check', 'providers-file', values['providers-file']);
  const json = values.json ?? false;
  // The deployment's own settings (what its function runs with) when an option names where it is.
  const fromDeployment = (['stack', 'stage', 'outputs-file'] as const).find((o) => values[o] !== undefined);
  if (fromDeployment === undefined) {
    const awsOption = (['region', 'profile'] as const).find((o) => values[o] !== undefined);
    if (awsOption !== undefined) {
      throw new UsageError(
        `--${awsOption} goes with --stage, --stack or --outputs-file (the deployed settings)`,
        'check',
      );
    }
    return { name: 'check', provider, providersFile: providersFile ?? DEFAULT_PROVIDERS_FILE, json };
  }
  if (providersFile !== undefined) {
    throw new UsageError(
      `--providers-file reads the settings from a file, --${fromDeployment} from the deployment: pick one`,
      'check',
    );
  }
  const region = nonEmpty('check', 'region', values.region);
  const profile = nonEmpty('check', 'profile', values.profile);
  const deployment = {
    source: manifestSource('check', values),
    ...(region === undefined ? {} : { region }),
    ...(profile === undefined ? {} : { profile }),
  };
  return { name: 'check', provider, providersFile: DEFAULT_PROVIDERS_FILE, json, deployment };
}

function parseRun(rest: readonly string[]): Command {
  const { values, positionals } = guard('run', () =>
    parseArgs({ args: [...rest], options: runOptions, allowPositionals: true, strict: true }),
  );
  if (values.help) return { name: 'help', text: RUN_HELP };
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`, 'run');
  const credentialsFile = nonEmpty('run', 'credentials-file', values['credentials-file']);
  const dir = nonEmpty('run', 'dir', values.dir);
  return {
    name: 'run',
    providersFile: nonEmpty('run', 'providers-file', values['providers-file']) ?? DEFAULT_PROVIDERS_FILE,
    ...(credentialsFile === undefined ? {} : { credentialsFile }),
    ...(dir === undefined ? {} : { dir }),
    json: values.json ?? false,
    once: values.once ?? false,
    demo: values.demo ?? false,
    demoFaults: values['demo-faults'] ?? false,
  };
}

/** `plan [--providers-file F] [--stage S] [--credentials-layout L] [--json]`: offline, so none of the AWS options. */
function parsePlan(rest: readonly string[]): Command {
  const { values, positionals } = guard('plan', () =>
    parseArgs({ args: [...rest], options: planOptions, allowPositionals: true, strict: true }),
  );
  if (values.help) return { name: 'help', text: PLAN_HELP };
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`, 'plan');
  const stage = nonEmpty('plan', 'stage', values.stage);
  const layout = nonEmpty('plan', 'credentials-layout', values['credentials-layout']);
  if (layout !== undefined && !CREDENTIALS_LAYOUTS.includes(layout as CredentialsLayout)) {
    throw new UsageError(
      `--credentials-layout ${JSON.stringify(layout)} is not a layout: use ${CREDENTIALS_LAYOUTS.join(' or ')}`,
      'plan',
    );
  }
  return {
    name: 'plan',
    providersFile: nonEmpty('plan', 'providers-file', values['providers-file']) ?? DEFAULT_PROVIDERS_FILE,
    ...(stage === undefined ? {} : { stage }),
    ...(layout === undefined ? {} : { credentialsLayout: layout as CredentialsLayout }),
    json: values.json ?? false,
  };
}

/** `public-key <provider> [--format F] [--cn N] [--days D]` and the options that find the deployment. */
function parsePublicKey(rest: readonly string[]): Command {
  const command = 'public-key';
  const { values, positionals } = guard(command, () =>
    parseArgs({ args: [...rest], options: publicKeyOptions, allowPositionals: true, strict: true }),
  );
  if (values.help) return { name: 'help', text: PUBLIC_KEY_HELP };
  const format = values.format ?? 'jwk';
  if (!(PUBLIC_KEY_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format must be ${PUBLIC_KEY_FORMATS.join(', ')}; got ${JSON.stringify(format)}`, command);
  }
  const cn = nonEmpty(command, 'cn', values.cn);
  const cnProblem =
    cn === undefined
      ? undefined
      : (controlCharacterProblem(cn) ??
        (cn.length > 64 ? 'must be at most 64 characters (X.520 ub-common-name)' : undefined));
  if (cnProblem) throw new UsageError(`--cn ${cnProblem}`, command);
  const daysText = values.days ?? String(DEFAULT_CERTIFICATE_DAYS);
  const days = /^\d{1,5}$/.test(daysText) ? Number(daysText) : Number.NaN;
  if (!(days >= 1 && days <= MAX_CERTIFICATE_DAYS)) {
    throw new UsageError(
      `--days must be a whole number from 1 to ${MAX_CERTIFICATE_DAYS}; got ${JSON.stringify(daysText)}`,
      command,
    );
  }
  if ((cn !== undefined || values.days !== undefined) && format !== 'pem') {
    throw new UsageError('--cn and --days are for the certificate: add --format pem', command);
  }
  const region = nonEmpty(command, 'region', values.region);
  const profile = nonEmpty(command, 'profile', values.profile);
  return {
    name: command,
    provider: onePositional(command, positionals),
    format: format as PublicKeyFormat,
    ...(cn === undefined ? {} : { commonName: cn }),
    days,
    source: manifestSource(command, values),
    ...(region === undefined ? {} : { region }),
    ...(profile === undefined ? {} : { profile }),
    json: values.json ?? false,
  };
}

/** `status --local [--dir D] [--json]`; undefined for the stack status. */
function parseStatusLocal(rest: readonly string[]): Command | undefined {
  const { values, positionals } = guard('status', () =>
    parseArgs({ args: [...rest], options: statusOptions, allowPositionals: true, strict: true }),
  );
  if (values.help || (!values.local && values.dir === undefined)) return undefined;
  if (!values.local) throw new UsageError('--dir goes with --local', 'status');
  const awsOption = AWS_OPTIONS.find((option) => values[option] !== undefined);
  if (awsOption !== undefined) {
    throw new UsageError(`--local reads local files: it takes no --${awsOption}`, 'status');
  }
  if (values.wide) throw new UsageError('--wide is for the stack status; --local has no wider view', 'status');
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`, 'status');
  const dir = nonEmpty('status', 'dir', values.dir);
  return { name: 'status-local', ...(dir === undefined ? {} : { dir }), json: values.json ?? false };
}

/** `connect <provider> --local [--dir D] [--providers-file F]`, as `run` takes them; undefined for AWS. */
function connectLocal(
  values: { local?: boolean; dir?: string; 'providers-file'?: string; json?: boolean } & Record<string, unknown>,
  provider: string,
  from: ConnectSource,
): Command | undefined {
  const localOnly = (['dir', 'providers-file'] as const).find((o) => values[o] !== undefined);
  if (!values.local) {
    if (localOnly !== undefined) throw new UsageError(`--${localOnly} goes with --local`, 'connect');
    return undefined;
  }
  const awsOption = AWS_OPTIONS.find((option) => values[option] !== undefined);
  if (awsOption !== undefined) {
    throw new UsageError(`--local writes local files: it takes no --${awsOption}`, 'connect');
  }
  const dir = nonEmpty('connect', 'dir', values.dir);
  return {
    name: 'connect-local',
    provider,
    from,
    providersFile: nonEmpty('connect', 'providers-file', values['providers-file']) ?? DEFAULT_PROVIDERS_FILE,
    ...(dir === undefined ? {} : { dir }),
    json: values.json ?? false,
  };
}

/** `connect <provider>`: one way to obtain the refresh token, and the options that find the deployment. */
function parseConnect(rest: readonly string[]): Command {
  const { values, positionals } = guard('connect', () =>
    parseArgs({ args: [...rest], options: connectOptions, allowPositionals: true, strict: true }),
  );
  if (values.help) return { name: 'help', text: CONNECT_HELP };
  const file = nonEmpty('connect', 'refresh-token-file', values['refresh-token-file']);
  const ways = [
    values.device && '--device',
    file !== undefined && '--refresh-token-file',
    values['refresh-token-stdin'] && '--refresh-token-stdin',
  ].filter((w): w is string => typeof w === 'string');
  if (ways.length > 1) throw new UsageError(`${ways.join(' and ')} are two ways to connect: pick one`, 'connect');
  if (values['no-browser'] && ways.length > 0) {
    throw new UsageError(`--no-browser is for the browser sign-in, not ${ways[0]}`, 'connect');
  }
  const from: ConnectSource = values.device
    ? { kind: 'device' }
    : file !== undefined
      ? { kind: 'file', path: file }
      : values['refresh-token-stdin']
        ? { kind: 'stdin' }
        : { kind: 'browser', openBrowser: !values['no-browser'] };
  const provider = onePositional('connect', positionals);
  const local = connectLocal(values, provider, from);
  if (local) return local;
  const region = nonEmpty('connect', 'region', values.region);
  const profile = nonEmpty('connect', 'profile', values.profile);
  return {
    name: 'connect',
    provider,
    from,
    source: manifestSource('connect', values),
    ...(region === undefined ? {} : { region }),
    ...(profile === undefined ? {} : { profile }),
    json: values.json ?? false,
  };
}
