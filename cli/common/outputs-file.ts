import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { EXIT } from '../exit-codes.js';
import { CliError } from './errors.js';
import { isManifestOutput, type StackOutput } from './stack-manifest.js';

/**
 * Reads what `cdk deploy --outputs-file <file>` writes: `{"<StackName>": {"<OutputKey>": "<value>"}}`.
 * It lets `status` and `refresh` work without cloudformation:DescribeStacks, from the deploy's own
 * record. Every mistake names the file, and the stack and output where there is one: exit 2, like a
 * bad providers file.
 */

export interface FileStack {
  readonly stackName: string;
  readonly outputs: readonly StackOutput[];
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

export async function readOutputsFile(path: string, cwd: string, onlyStack?: string): Promise<FileStack[]> {
  const fail = (problem: string) => new CliError(`outputs file ${path}: ${problem}`, EXIT.usage, 'outputs_file');
  let text: string;
  try {
    text = await readFile(resolve(cwd, path), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw fail(
      code === 'ENOENT'
        ? 'does not exist; write it with npx cdk deploy --outputs-file <file>'
        : `cannot be read (${code})`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    // JSON.parse quotes the text around the mistake; outputs hold names and ARNs only, never a secret.
    throw fail(`is not JSON (${(error as Error).message})`);
  }
  const shape = '{"<StackName>": {"<OutputKey>": "<value>", ...}, ...} as cdk deploy --outputs-file writes it';
  if (!isObject(json)) throw fail(`must be an object of stacks, ${shape}; got ${kindOf(json)}`);
  const names = Object.keys(json);
  if (onlyStack !== undefined && !names.includes(onlyStack)) {
    throw fail(`has no stack "${onlyStack}"; its stacks: ${names.join(', ') || 'none'}`);
  }
  const stacks: FileStack[] = [];
  for (const stackName of names) {
    if (onlyStack !== undefined && stackName !== onlyStack) continue;
    const outputs = json[stackName];
    if (!isObject(outputs)) {
      throw fail(`stack "${stackName}" must be an object of outputs, ${shape}; got ${kindOf(outputs)}`);
    }
    const read: StackOutput[] = [];
    for (const [key, value] of Object.entries(outputs)) {
      if (!isManifestOutput(key)) continue;
      if (typeof value !== 'string') {
        throw fail(
          `stack "${stackName}", output "${key}" must be a string (the manifest's JSON); got ${kindOf(value)}`,
        );
      }
      read.push({ key, value });
    }
    stacks.push({ stackName, outputs: read });
  }
  return stacks;
}
