import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { EndpointTarget } from '../../contract/loopback.js';
import { ProvidersFileError, parseStackConfig, type StackConfig } from '../../providers/providers-file.js';
import { parseProvidersJson } from '../../providers/providers-json.js';
import { CliError, errorMessage } from './errors.js';
import { EXIT } from '../exit-codes.js';
import type { CliIo } from './io.js';

/**
 * Reads and resolves a providers file for the commands that work from it (`check`, `plan`), for the
 * place `target` where its token endpoints will be called: a file that cannot be read, is not JSON
 * or has problems is a usage error (exit 2) that names the file.
 */
export function loadStackConfig(
  file: string,
  io: Pick<CliIo, 'cwd'>,
  target: EndpointTarget,
): { readonly path: string } & StackConfig {
  const path = resolve(io.cwd, file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? errorMessage(error);
    throw new CliError(`cannot read providers file ${path} (${code}); pass --providers-file <path>`, EXIT.usage);
  }
  let raw: unknown;
  try {
    raw = parseProvidersJson(text);
  } catch (error) {
    throw new CliError(
      `providers file ${path} is not valid JSON: ${errorMessage(error)}`,
      EXIT.usage,
      'providers_file',
    );
  }
  try {
    return { path, ...parseStackConfig(raw, path, { target }) };
  } catch (error) {
    // Its message already names the file, the provider, the field, the value and what is allowed.
    if (error instanceof ProvidersFileError) throw new CliError(error.message, EXIT.usage, 'providers_file');
    throw error;
  }
}
