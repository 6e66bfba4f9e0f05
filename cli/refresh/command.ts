import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import * as z from 'zod/mini';
import type { StackOptions } from '../common/stack-options.js';
import type { AwsClients } from '../common/aws-clients.js';
import { awsCall, AwsCallError } from '../common/aws-failure.js';
import { CliError } from '../common/errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { formatExpiresIn, formatTime } from '../common/format-duration.js';
import type { CliIo } from '../common/io.js';
import { withProgress } from '../common/spinner.js';
import { findProvider, readDeployment } from '../common/deployment.js';
import { renderDetails } from '../common/table.js';
import { oneLine } from '../common/text.js';
import { errorNameOf } from '../../contract/error-name.js';
import { refreshResultSchema, type RefreshResultJson } from '../../contract/refresh-result.js';

export type RefreshResult = RefreshResultJson;

/** What Lambda returns when the function threw (an unexpected bug, a timeout, an init failure). */
const functionErrorSchema = z.object({ errorType: z.optional(z.string()), errorMessage: z.optional(z.string()) });

const decode = (payload: Uint8Array | undefined) => (payload ? new TextDecoder().decode(payload) : '');

function parsePayload(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Throttled: reserved concurrency 1 and a scheduled run is under way. */
function isBusy(error: unknown): boolean {
  return errorNameOf(error) === 'TooManyRequestsException';
}

/** Invokes the refresher with `{"force": true}` and waits for its result (up to its 60 s timeout). */
export async function invokeForced(client: LambdaClient, functionName: string): Promise<RefreshResult> {
  let response;
  try {
    response = await awsCall(client, 'Invoke', () =>
      client.send(
        new InvokeCommand({
          FunctionName: functionName,
          InvocationType: 'RequestResponse',
          Payload: new TextEncoder().encode(JSON.stringify({ force: true })),
        }),
      ),
    );
  } catch (error) {
    if (error instanceof AwsCallError && isBusy(error.cause)) {
      throw new CliError(
        `function ${functionName} is busy (TooManyRequestsException): a scheduled run is probably under way ` +
          '(reserved concurrency 1); try again in a minute',
        EXIT.aws,
        'function_busy',
      );
    }
    throw error;
  }
  const payload = parsePayload(decode(response.Payload));
  if (response.FunctionError) {
    const details = functionErrorSchema.safeParse(payload);
    const type = details.success ? (details.data.errorType ?? response.FunctionError) : response.FunctionError;
    const message = details.success ? (details.data.errorMessage ?? 'no error message') : 'no error message';
    // An unexpected failure inside the function: it ends up in the dead-letter queue too.
    throw new CliError(
      `function ${functionName} failed: ${oneLine(type)}: ${oneLine(message)}`,
      EXIT.failed,
      'function_error',
    );
  }
  const result = refreshResultSchema.safeParse(payload);
  if (!result.success) {
    throw new CliError(
      `function ${functionName} returned something that is not a refresh result; is the stack deployed with this version?`,
      EXIT.failed,
      'function_error',
    );
  }
  return result.data;
}

export function renderRefresh(result: RefreshResult, nowMs: number): string {
  const pairs: [string, string | string[]][] = [
    ['provider', result.provider],
    ['outcome', result.outcome],
  ];
  if (result.grant) pairs.push(['grant', result.grant]);
  if (result.error) {
    const { kind, code, description } = result.error;
    pairs.push(['error', [`${oneLine(kind)} (${oneLine(code)})`, oneLine(description)]]);
  }
  if (result.note) pairs.push(['note', [oneLine(result.note.code), oneLine(result.note.description)]]);
  if (result.expiresAt !== undefined) {
    const label = result.outcome === 'failed' ? 'published token expires' : 'expires';
    pairs.push([label, `${formatTime(result.expiresAt * 1000)} (${formatExpiresIn(result.expiresAt, nowMs)})`]);
  } else if (result.outcome === 'failed') {
    pairs.push(['published token', 'none']);
  }
  return renderDetails(pairs);
}

export function refreshJson(result: RefreshResult, functionName: string, nowMs: number) {
  const error = result.error
    ? { kind: result.error.kind, code: result.error.code, description: oneLine(result.error.description) }
    : undefined;
  return {
    provider: result.provider,
    functionName,
    outcome: result.outcome,
    ...(result.grant === undefined ? {} : { grant: result.grant }),
    ...(result.expiresAt === undefined
      ? {}
      : {
          expiresAt: formatTime(result.expiresAt * 1000),
          expiresInSeconds: result.expiresAt - Math.floor(nowMs / 1000),
        }),
    ...(error ? { error } : {}),
    ...(result.note ? { note: { code: result.note.code, description: oneLine(result.note.description) } } : {}),
  };
}

export async function runRefresh(
  options: StackOptions & { provider: string },
  io: CliIo,
  clients: AwsClients,
): Promise<ExitCode> {
  const { manifest, result } = await withProgress(io, 'reading the stacks', options, async (progress) => {
    const deployment = await readDeployment(options.source, clients, io.cwd);
    const found = findProvider(deployment, options.provider, 'refresh');
    progress.update(`refreshing ${found.provider} (invoking ${found.functionName})`);
    return { manifest: found, result: await invokeForced(clients.lambda, found.functionName) };
  });
  const now = io.now();
  io.stdout(
    options.json
      ? `${JSON.stringify(refreshJson(result, manifest.functionName, now), null, 2)}\n`
      : renderRefresh(result, now),
  );
  return result.outcome === 'failed' ? EXIT.failed : EXIT.ok;
}
