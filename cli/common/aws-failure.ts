import { EXIT } from '../exit-codes.js';
import { errorMessage, type Failure, isMissingRegion, NO_REGION_MESSAGE, ReportedError } from './errors.js';
import { oneLine } from './text.js';
import { describeErrorName, errorNameOf } from '../../contract/error-name.js';

/**
 * AWS failures that say where they happened: the service, the API operation, the HTTP status and the
 * endpoint. An SDK error's message alone can hide all of them: an HTML error page from a proxy or an
 * outage reads "XML parse error" (see test/cli/aws-errors.test.ts).
 */

/** What the CLI needs of an SDK v3 client to name it and its endpoint. */
export interface AwsClientLike {
  readonly config: {
    readonly serviceId?: string;
    readonly region: () => Promise<string>;
    readonly useFipsEndpoint?: () => Promise<boolean>;
    readonly useDualstackEndpoint?: () => Promise<boolean>;
    readonly endpoint?: () => Promise<{ protocol: string; hostname: string; port?: number; path: string }>;
    /** AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL or `endpoint_url` of the profile, read on demand. */
    readonly serviceConfiguredEndpoint?: () => Promise<string | undefined>;
    readonly ignoreConfiguredEndpointUrls?: boolean;
    readonly endpointProvider?: (params: { Region?: string; UseFIPS?: boolean; UseDualStack?: boolean }) => {
      url: URL;
    };
  };
}

/** What an SDK error carries besides its name and message. */
interface SdkErrorFields {
  readonly $fault?: string;
  readonly $metadata?: { readonly httpStatusCode?: number; readonly requestId?: string };
  readonly $response?: { readonly statusCode?: number; readonly headers?: Record<string, string | undefined> };
}

export class AwsCallError extends ReportedError {
  constructor(
    /** The client's service id, e.g. `CloudFormation`. */
    readonly service: string,
    readonly operation: string,
    override readonly cause: unknown,
    /** The origin the client called, e.g. `https://cloudformation.eu-west-1.amazonaws.com`. */
    readonly endpoint?: string,
  ) {
    super(`${service} ${operation} failed: ${describeErrorName(cause)}`);
    this.name = 'AwsCallError';
  }

  failure(): Failure {
    const { code, message } = describeAwsFailure(this);
    return { exitCode: EXIT.aws, code, message, details: [], aws: awsFailureFacts(this) };
  }
}

/** Runs one AWS call so that its failure names the service, the operation and the endpoint. */
export async function awsCall<T>(client: AwsClientLike, operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new AwsCallError(client.config.serviceId ?? 'AWS', operation, error, await endpointOf(client));
  }
}

/**
 * The origin the client sends to, in the SDK's order: the client's `endpoint`, then the one configured
 * for the service (AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, the profile's `endpoint_url`), then the
 * one the service's endpoint rules give for the region. The configured one never shows in
 * `config.endpoint`: the SDK applies it per request, so it is asked for here as the SDK asks for it.
 * Undefined when it cannot be worked out (no region).
 */
export async function endpointOf(client: AwsClientLike): Promise<string | undefined> {
  const { config } = client;
  try {
    const custom = await config.endpoint?.();
    if (custom) return `${custom.protocol}//${custom.hostname}${custom.port ? `:${custom.port}` : ''}`;
    const configured = config.ignoreConfiguredEndpointUrls ? undefined : await config.serviceConfiguredEndpoint?.();
    if (configured) return new URL(configured).origin;
    const url = config.endpointProvider?.({
      Region: await config.region(),
      UseFIPS: (await config.useFipsEndpoint?.()) ?? false,
      UseDualStack: (await config.useDualstackEndpoint?.()) ?? false,
    }).url;
    return url?.origin;
  } catch {
    return undefined;
  }
}

const fieldsOf = (error: unknown): SdkErrorFields => (typeof error === 'object' && error !== null ? error : {});

/** The SDK received an answer it could not parse; service errors always have `$fault`. */
function isUnreadableAnswer(error: unknown): boolean {
  const { $fault, $response } = fieldsOf(error);
  return $fault === undefined && $response !== undefined;
}

/** What the unreadable answer was, in words: the SDK's own message is about its parser. */
function unreadableAnswer(error: unknown): string {
  const message = errorMessage(error);
  const contentType = fieldsOf(error).$response?.headers?.['content-type'];
  const format = /XML/.test(message) ? 'valid XML' : /JSON/i.test(message) ? 'valid JSON' : 'readable';
  return `the answer was not ${format}${contentType ? `; content-type ${oneLine(contentType)}` : ''}`;
}

function httpStatusOf(error: unknown): number | undefined {
  const { $metadata, $response } = fieldsOf(error);
  return $metadata?.httpStatusCode ?? $response?.statusCode;
}

/** The credential chain found nothing usable (no profile, expired SSO session, ...). */
function isMissingCredentials(error: unknown): boolean {
  return errorNameOf(error) === 'CredentialsProviderError';
}

/** One line for an AWS failure, without a stack trace: what the operator needs to act on it. */
export function describeAwsFailure(error: AwsCallError): { code: string; message: string } {
  const { service, operation, cause, endpoint } = error;
  if (isMissingCredentials(cause)) {
    return {
      code: 'no_credentials',
      message:
        `no usable AWS credentials (${oneLine(errorMessage(cause))}): run "aws configure" or "aws sso login", ` +
        'or pass --profile or set AWS_PROFILE',
    };
  }
  if (isMissingRegion(cause)) return { code: 'no_region', message: NO_REGION_MESSAGE };
  const status = httpStatusOf(cause);
  const from = endpoint === undefined ? '' : ` from ${endpoint}`;
  const call = `${service} ${operation} failed`;
  if (isUnreadableAnswer(cause)) {
    return { code: 'aws', message: `${call}: HTTP ${status ?? '(no status)'}${from} (${unreadableAnswer(cause)})` };
  }
  const error_ = `${describeErrorName(cause)}: ${oneLine(errorMessage(cause))}`;
  if (status === undefined) {
    // No HTTP answer at all: DNS, a refused connection, a timeout.
    return {
      code: 'aws',
      message: `${call}: no answer${endpoint === undefined ? '' : ` from ${endpoint}`}: ${error_}`,
    };
  }
  return { code: 'aws', message: `${call}: HTTP ${status}${from}: ${error_}` };
}

/** The same facts, as fields for `--json`. */
export function awsFailureFacts(error: AwsCallError): Record<string, string | number> {
  const { service, operation, cause, endpoint } = error;
  const status = httpStatusOf(cause);
  const requestId = fieldsOf(cause).$metadata?.requestId;
  return {
    service,
    operation,
    errorName: describeErrorName(cause),
    ...(status === undefined ? {} : { httpStatus: status }),
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(requestId === undefined ? {} : { requestId }),
  };
}
