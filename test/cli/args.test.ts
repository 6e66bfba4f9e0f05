import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../cli/args.js';
import { CREDENTIAL_ENV } from '../../cli/check/credentials.js';
import { CHECK_HELP, PLAN_HELP, REFRESH_HELP, RUN_HELP, STATUS_HELP, TOP_HELP } from '../../cli/help.js';
import { runCliForTest } from './helpers.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

describe('help and version', () => {
  it.each([
    [['--help'], TOP_HELP],
    [['-h'], TOP_HELP],
    [['help'], TOP_HELP],
    [['status', '--help'], STATUS_HELP],
    [['refresh', '-h'], REFRESH_HELP],
    [['check', '--help'], CHECK_HELP],
    [['help', 'check'], CHECK_HELP],
    [['plan', '--help'], PLAN_HELP],
    [['help', 'plan'], PLAN_HELP],
    [['refresh', 'nagra', '--stack', 'X', '--help'], REFRESH_HELP],
  ])('%j prints its help on stdout, exit 0', async (argv, text) => {
    const { code, stdout, stderr } = await runCliForTest(argv);

    expect(stdout).toBe(text);
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('prints the package version', async () => {
    for (const flag of ['--version', '-V']) {
      const { code, stdout } = await runCliForTest([flag]);
      expect(stdout).toBe(`${version}\n`);
      expect(code).toBe(0);
    }
  });

  it('keeps every help line within 100 columns', () => {
    for (const text of [TOP_HELP, STATUS_HELP, REFRESH_HELP, CHECK_HELP, RUN_HELP, PLAN_HELP]) {
      for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(100);
    }
  });
});

describe('what the help says about permissions and sources', () => {
  const flat = (text: string) => text.replace(/\s+/g, ' ');

  it('check --help names every variable check reads credentials from', () => {
    for (const name of Object.values(CREDENTIAL_ENV)) expect(CHECK_HELP).toContain(name);
  });

  it('status --help lists every IAM action it uses, and says the state read is optional', () => {
    const help = flat(STATUS_HELP);
    for (const action of [
      'cloudformation:DescribeStacks',
      'secretsmanager:GetSecretValue',
      'ssm:GetParameter',
      'cloudwatch:GetMetricData',
      'cloudwatch:DescribeAlarms',
    ]) {
      expect(help).toContain(action);
    }
    expect(help).toContain('Optional: ssm:GetParameter on /<prefix>/<id>/ledger');
    expect(help).toContain('or on /<prefix>/<id>/state for a function that has not written a ledger');
    expect(help).toContain("from the last run's LockoutGuardEngaged and ConfigurationBlocked metrics");
  });

  it('status --help says where LAST RUN comes from, how late it is, and what healthy means', () => {
    const help = flat(STATUS_HELP);
    expect(help).toContain("LAST RUN is the last run's outcome in CloudWatch metrics, which arrive 1-2 minutes late");
    expect(help).toContain('"refreshed <age>" from the token\'s issued_at instead ("(store)" in --wide)');
    expect(help).toContain(
      'its token has at least minValiditySeconds left, and it ran in the last three check intervals',
    );
  });

  it('status and refresh --help say how the stacks of a stage are found and what happens without one', () => {
    for (const help of [flat(STATUS_HELP), flat(REFRESH_HELP)]) {
      expect(help).toContain('--stage <name> every refresher tagged token-refresher:stage=<name> (default: default)');
      expect(help).toContain('manifest parameters /<prefix>/<id>/manifest tagged token-refresher:stage=<stage>');
      expect(help).toContain('When nothing is found, the error names the stage or stack, the region');
      expect(help).toContain('--profile <name>');
      expect(help).toContain('--outputs-file <f>');
    }
  });

  it('refresh --help names both IAM actions: it reads the stack before it invokes', () => {
    expect(flat(REFRESH_HELP)).toMatch(/cloudformation:DescribeStacks .*and lambda:InvokeFunction/);
  });
});

describe('usage errors: exit 2, one line and where to get help', () => {
  it.each([
    [
      [],
      'missing <command>: status, refresh, check, connect, run, plan, public-key or cleanup',
      'token-refresher --help',
    ],
    [
      ['stats'],
      'unknown command "stats": use status, refresh, check, connect, run, plan, public-key or cleanup',
      'token-refresher --help',
    ],
    [['-j', 'status'], 'unknown option -j (options follow the command)', 'token-refresher --help'],
    [
      ['help', 'stats'],
      'unknown command "stats": use status, refresh, check, connect, run, plan, public-key or cleanup',
      'token-refresher --help',
    ],
    [['status', '--bogus'], 'unknown option --bogus', 'token-refresher status --help'],
    [['status', '-x'], 'unknown option -x', 'token-refresher status --help'],
    [['status', '--local', 'nagra'], 'unexpected argument "nagra"', 'token-refresher status --help'],
    [
      ['status', '--local', '--profile', 'ops'],
      '--local reads local files: it takes no --profile',
      'token-refresher status --help',
    ],
    [
      ['status', '--outputs-file', 'o.json', '--stage', 'prod'],
      '--outputs-file has no stage tags: pick a stack of the file with --stack',
      'token-refresher status --help',
    ],
    [['status', '--stage', ''], '--stage must not be empty', 'token-refresher status --help'],
    [['status', '--profile', ''], '--profile must not be empty', 'token-refresher status --help'],
    [['refresh', 'nagra', '--wide'], 'unknown option --wide', 'token-refresher refresh --help'],
    [['status', '--stack'], 'option --stack needs a value', 'token-refresher status --help'],
    [['status', '--stack', ''], '--stack must not be empty', 'token-refresher status --help'],
    [['status', '--stack', '--region'], 'option --stack needs a value', 'token-refresher status --help'],
    [['status', '--json=yes'], 'option --json takes no value', 'token-refresher status --help'],
    [['refresh'], 'missing <provider>', 'token-refresher refresh --help'],
    [['refresh', 'a', 'b'], 'expected one <provider>, got a b', 'token-refresher refresh --help'],
    [['refresh', 'nagra', '--region'], 'option --region needs a value', 'token-refresher refresh --help'],
    [['check'], 'missing <provider>', 'token-refresher check --help'],
    [
      ['check', 'nagra', '--stack', 'X', '--providers-file', 'p.json'],
      '--providers-file reads the settings from a file, --stack from the deployment: pick one',
      'token-refresher check --help',
    ],
    [
      ['check', 'nagra', '--region', 'eu-west-1'],
      '--region goes with --stage, --stack or --outputs-file (the deployed settings)',
      'token-refresher check --help',
    ],
  ])('%j', async (argv, message, help) => {
    const { code, stdout, stderr } = await runCliForTest(argv);

    expect(stderr).toBe(`error: ${message}\nRun "${help}" for usage.\n`);
    expect(stdout).toBe('');
    expect(code).toBe(2);
  });
});

describe('parseCommand', () => {
  it('fills the defaults: the default stage, the SDK region and profile, providers.json, tables', () => {
    expect(parseCommand(['status'])).toEqual({
      name: 'status',
      source: { kind: 'stage', stage: 'default' },
      json: false,
      providers: [],
      wide: false,
    });
    expect(parseCommand(['check', 'nagra'])).toEqual({
      name: 'check',
      provider: 'nagra',
      providersFile: 'providers.json',
      json: false,
    });
  });

  it('takes options before or after the provider', () => {
    expect(
      parseCommand(['refresh', '--json', 'nagra', '--stack=Staging', '--region', 'us-east-2', '--profile', 'ops']),
    ).toEqual({
      name: 'refresh',
      provider: 'nagra',
      source: { kind: 'stack', stack: 'Staging' },
      region: 'us-east-2',
      profile: 'ops',
      json: true,
    });
  });

  it('takes zero or more providers for status, each once', () => {
    expect(parseCommand(['status', 'nagra', 'clickview', 'nagra', '--wide'])).toMatchObject({
      providers: ['nagra', 'clickview'],
      wide: true,
    });
  });

  it('reads a stage, one stack of a stage, or an outputs file', () => {
    expect(parseCommand(['status', '--stage', 'prod'])).toMatchObject({ source: { kind: 'stage', stage: 'prod' } });
    expect(parseCommand(['status', '--stage', 'prod', '--stack', 'P1'])).toMatchObject({
      source: { kind: 'stack', stack: 'P1', stage: 'prod' },
    });
    expect(parseCommand(['refresh', 'a', '--outputs-file', 'out.json', '--stack', 'S'])).toMatchObject({
      source: { kind: 'outputs-file', path: 'out.json', stack: 'S' },
    });
  });
});

describe('connect --local', () => {
  it('takes --dir and --providers-file as run does, and the way of connecting as connect does', () => {
    expect(
      parseCommand(['connect', 'acme', '--local', '--dir', 'd', '--providers-file', 'p.json', '--device']),
    ).toEqual({
      name: 'connect-local',
      provider: 'acme',
      from: { kind: 'device' },
      providersFile: 'p.json',
      dir: 'd',
      json: false,
    });
    expect(parseCommand(['connect', 'acme', '--local'])).toMatchObject({
      name: 'connect-local',
      providersFile: 'providers.json',
      from: { kind: 'browser', openBrowser: true },
    });
  });

  it('refuses the AWS options with --local, and the local ones without it', () => {
    expect(() => parseCommand(['connect', 'acme', '--local', '--stage', 'prod'])).toThrow(
      '--local writes local files: it takes no --stage',
    );
    expect(() => parseCommand(['connect', 'acme', '--dir', 'd'])).toThrow('--dir goes with --local');
    expect(parseCommand(['connect', 'acme', '--stage', 'prod'])).toMatchObject({ name: 'connect' });
  });
});
