import { UsageError } from './errors.js';

/** node:util's messages suggest `--` tricks; ours name the option and point at the command's help. */
export function guard<T>(command: string, parse: () => T): T {
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

export function onePositional(command: string, positionals: string[]): string {
  if (positionals.length === 0) throw new UsageError(`missing <provider>`, command);
  if (positionals.length > 1) throw new UsageError(`expected one <provider>, got ${positionals.join(' ')}`, command);
  return positionals[0]!;
}

export function nonEmpty(command: string, option: string, value: string | undefined): string | undefined {
  if (value !== undefined && value.trim() === '') throw new UsageError(`--${option} must not be empty`, command);
  return value;
}
