import { parseArgs } from 'node:util';
import { UsageError } from './common/errors.js';
import {
  CHECK_HELP,
  DEFAULT_PROVIDERS_FILE,
  DEFAULT_STACK_NAME,
  REFRESH_HELP,
  RUN_HELP,
  STATUS_HELP,
  TOP_HELP,
} from './help.js';
import type { RunOptions } from './run/command.js';

export interface StackOptions {
  readonly stack: string;
  /** Undefined: the SDK's default chain (AWS_REGION, the profile) decides. */
  readonly region?: string;
  readonly json: boolean;
}

export type Command =
  | { readonly name: 'help'; readonly text: string }
  | { readonly name: 'version' }
  | ({ readonly name: 'status' } & StackOptions)
  | ({ readonly name: 'refresh'; readonly provider: string } & StackOptions)
  | { readonly name: 'check'; readonly provider: string; readonly providersFile: string; readonly json: boolean }
  | ({ readonly name: 'run' } & RunOptions)
  | { readonly name: 'status-local'; readonly dir?: string; readonly json: boolean };

const COMMAND_HELP = { status: STATUS_HELP, refresh: REFRESH_HELP, check: CHECK_HELP, run: RUN_HELP } as const;
type CommandName = keyof typeof COMMAND_HELP;

const isCommand = (name: string | undefined): name is CommandName => name !== undefined && name in COMMAND_HELP;

const help = { type: 'boolean', short: 'h' } as const;
const json = { type: 'boolean' } as const;
const stackOptions = { stack: { type: 'string' }, region: { type: 'string' }, json, help } as const;
const checkOptions = { 'providers-file': { type: 'string' }, json, help } as const;
const statusOptions = { ...stackOptions, local: { type: 'boolean' }, dir: { type: 'string' } } as const;
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

/** node:util's messages suggest `--` tricks; ours name the option and point at the command's help. */
function guard<T>(command: CommandName, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    const option = /'(-[^' ]+)/.exec(message)?.[1] ?? '';
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`unknown option ${option}`, command);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      // Missing ("--stack" last) or ambiguous ("--stack --json") values read the same to a person.
      const problem = /does not take an argument/.test(message) ? 'takes no value' : 'needs a value';
      throw new UsageError(`option ${option} ${problem}`, command);
    }
    throw new UsageError(message, command);
  }
}

function onePositional(command: CommandName, positionals: string[]): string {
  if (positionals.length === 0) throw new UsageError(`missing <provider>`, command);
  if (positionals.length > 1) throw new UsageError(`expected one <provider>, got ${positionals.join(' ')}`, command);
  return positionals[0]!;
}

function nonEmpty(command: CommandName, option: string, value: string | undefined): string | undefined {
  if (value !== undefined && value.trim() === '') throw new UsageError(`--${option} must not be empty`, command);
  return value;
}

/** Turns argv (without node and the script) into a command; throws UsageError for anything else. */
export function parseCommand(argv: readonly string[]): Command {
  const [first, ...rest] = argv;
  if (first === undefined) throw new UsageError('missing <command>: status, refresh, check or run');
  if (first === '-h' || first === '--help') return { name: 'help', text: TOP_HELP };
  if (first === '-V' || first === '--version') return { name: 'version' };
  if (first === 'help') {
    const topic = rest[0];
    if (topic === undefined) return { name: 'help', text: TOP_HELP };
    if (!isCommand(topic)) throw new UsageError(`unknown command "${topic}": use status, refresh, check or run`);
    return { name: 'help', text: COMMAND_HELP[topic] };
  }
  if (!isCommand(first)) {
    throw new UsageError(
      first.startsWith('-')
        ? `unknown option ${first} (options follow the command)`
        : `unknown command "${first}": use status, refresh, check or run`,
    );
  }

  if (first === 'check') {
    const { values, positionals } = guard(first, () =>
      parseArgs({ args: rest, options: checkOptions, allowPositionals: true, strict: true }),
    );
    if (values.help) return { name: 'help', text: CHECK_HELP };
    return {
      name: 'check',
      provider: onePositional(first, positionals),
      providersFile: nonEmpty(first, 'providers-file', values['providers-file']) ?? DEFAULT_PROVIDERS_FILE,
      json: values.json ?? false,
    };
  }

  if (first === 'run') return parseRun(rest);
  if (first === 'status') {
    const local = parseStatusLocal(rest);
    if (local) return local;
  }

  const { values, positionals } = guard(first, () =>
    parseArgs({ args: rest, options: stackOptions, allowPositionals: true, strict: true }),
  );
  if (values.help) return { name: 'help', text: COMMAND_HELP[first] };
  const region = nonEmpty(first, 'region', values.region);
  const common: StackOptions = {
    stack: nonEmpty(first, 'stack', values.stack) ?? DEFAULT_STACK_NAME,
    ...(region === undefined ? {} : { region }),
    json: values.json ?? false,
  };
  if (first === 'status') {
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`, first);
    return { name: 'status', ...common };
  }
  return { name: 'refresh', provider: onePositional(first, positionals), ...common };
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

/** `status --local [--dir D] [--json]`; undefined for the stack status. */
function parseStatusLocal(rest: readonly string[]): Command | undefined {
  const { values, positionals } = guard('status', () =>
    parseArgs({ args: [...rest], options: statusOptions, allowPositionals: true, strict: true }),
  );
  if (values.help || (!values.local && values.dir === undefined)) return undefined;
  if (!values.local) throw new UsageError('--dir goes with --local', 'status');
  if (values.stack !== undefined || values.region !== undefined) {
    throw new UsageError('--local reads local files: it takes no --stack or --region', 'status');
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`, 'status');
  const dir = nonEmpty('status', 'dir', values.dir);
  return { name: 'status-local', ...(dir === undefined ? {} : { dir }), json: values.json ?? false };
}
