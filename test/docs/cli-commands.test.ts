import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../cli/args.js';
import { REPO_ROOT } from '../infra/fixtures.js';

/**
 * The operator commands docs/provider-lifecycle.md tells a user to run exist: every
 * `token-refresher <command>` is a command the CLI parses (its `--help` answers), and every `--option`
 * given to it is in that command's help. A doc that names a command or an option the CLI does not have
 * fails here, not on a user's terminal while tearing a stage down.
 */

const DOCS = ['docs/provider-lifecycle.md'];

interface Invocation {
  readonly where: string;
  readonly command: string;
  readonly options: readonly string[];
}

/** `token-refresher <command> …` up to the end of the code span, the line or a table cell (a shell
 * comment's options, `# add --stage <name>`, are that command's too). */
export function invocationsOf(file: string, text: string): Invocation[] {
  return text.split('\n').flatMap((line, index) =>
    [...line.matchAll(/(?<![\w/-])token-refresher ([a-z][\w-]*)([^`|\n]*)/g)].map((m) => ({
      where: `${file}:${index + 1}`,
      command: m[1]!,
      options: [...m[2]!.matchAll(/(?<!\S)(--[a-z][\w-]*)/g)].map((o) => o[1]!),
    })),
  );
}

/** Why an invocation is not one the CLI has, or undefined when it is. */
export function invocationProblem(invocation: Invocation): string | undefined {
  let help: string;
  try {
    const parsed = parseCommand([invocation.command, '--help']);
    if (parsed.name !== 'help') return `${invocation.where}: "${invocation.command} --help" shows no help`;
    help = parsed.text;
  } catch (error) {
    return `${invocation.where}: "token-refresher ${invocation.command}" is no command (${(error as Error).message})`;
  }
  const missing = invocation.options.filter((o) => !new RegExp(`(?<![\\w-])${o}(?![\\w-])`).test(help));
  return missing.length === 0
    ? undefined
    : `${invocation.where}: "token-refresher ${invocation.command}" has no ${missing.join(', ')}`;
}

describe('the lifecycle doc names only commands and options the CLI has', () => {
  const invocations = DOCS.flatMap((file) => invocationsOf(file, readFileSync(path.join(REPO_ROOT, file), 'utf8')));

  it('names cleanup, status, refresh and plan with options', () => {
    expect(new Set(invocations.map((i) => i.command))).toEqual(new Set(['cleanup', 'status', 'refresh', 'plan']));
    expect(invocations.flatMap((i) => i.options)).toEqual(
      expect.arrayContaining(['--include-credentials', '--dry-run', '--yes', '--stage', '--json']),
    );
  });

  it('an option quoted on its own (`--recovery-window-days 7`) is an option of cleanup', () => {
    const text = readFileSync(path.join(REPO_ROOT, DOCS[0]!), 'utf8');
    const quoted = [...text.matchAll(/`(--[a-z][\w-]*)[^`]*`/g)].map((m) => m[1]!);
    expect(quoted).toEqual(expect.arrayContaining(['--recovery-window-days', '--force-delete-without-recovery']));
    const problems = quoted
      .map((option) => invocationProblem({ where: DOCS[0]!, command: 'cleanup', options: [option] }))
      .filter(Boolean);
    expect(problems).toEqual([]);
  });

  it('every one is a command of the CLI, with options from its help', () => {
    expect(invocations.map(invocationProblem).filter(Boolean)).toEqual([]);
  });

  it('fails on a command or an option the CLI does not have', () => {
    const broken = invocationsOf(
      'broken.md',
      [
        '`npx --no-install token-refresher purge ab`',
        'npx --no-install token-refresher cleanup "$id" --purge-all --yes   # and --not-this',
        'the secret token-refresher/ab/credentials and alias/token-refresher/ab/signing-key',
      ].join('\n'),
    );
    expect(broken.map(invocationProblem)).toEqual([
      expect.stringContaining('broken.md:1: "token-refresher purge" is no command'),
      'broken.md:2: "token-refresher cleanup" has no --purge-all, --not-this',
    ]);
  });
});
