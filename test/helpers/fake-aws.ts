/**
 * In-memory Secrets Manager + SSM Parameter Store speaking the AWS JSON 1.1 wire protocol, so the
 * real SDK v3 clients (and their retry, serialisation and error mapping) run end to end against it.
 * aws-sdk-client-mock stubs `send()` instead and would never show a wrong endpoint, a bad request
 * shape or a retried throttle.
 *
 * Point a client at it with `endpoint` or with `AWS_ENDPOINT_URL`; any credentials are accepted
 * (SigV4 is not checked). Errors are `400 {"__type": ..., "message": ...}`, which the SDK maps to
 * its exception classes by `__type`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from './recorded-request.js';

export interface FakeSecretVersion {
  versionId: string;
  secretString?: string;
  stages: string[];
  createdDate: Date;
}

export interface FakeSecret {
  name: string;
  arn: string;
  createdDate: Date;
  /** As given to CreateSecret; absent: `aws/secretsmanager`, which DescribeSecret does not name. */
  kmsKeyId?: string;
  tags?: { Key: string; Value: string }[];
  /** The JSON PutResourcePolicy stored, if any. */
  resourcePolicy?: string;
  /** Oldest first; `AWSCURRENT` and `AWSPREVIOUS` move as in the real service. */
  versions: FakeSecretVersion[];
}

export type ParameterTier = 'Standard' | 'Advanced' | 'Intelligent-Tiering';

export interface FakeParameter {
  name: string;
  arn: string;
  type: 'String' | 'StringList' | 'SecureString';
  value: string;
  version: number;
  /** The tier actually applied (Intelligent-Tiering resolves to Standard or Advanced). */
  tier: 'Standard' | 'Advanced';
  /** The tier the last PutParameter asked for, if any. */
  requestedTier?: ParameterTier;
  dataType: string;
  keyId?: string;
  lastModifiedDate: Date;
}

export interface FakeAwsFailure {
  /** Defaults to 400, the status AWS uses for ThrottlingException and other client-side errors. */
  status?: number;
  type: string;
  message?: string;
}

export interface FakeAwsCall {
  /** The `x-amz-target` header, e.g. `secretsmanager.PutSecretValue`, `AmazonSSM.GetParameter`. */
  target: string;
  input: Record<string, unknown>;
}

export interface FakeAws {
  /** `http://127.0.0.1:<port>`, for the client `endpoint` option or `AWS_ENDPOINT_URL`. */
  endpoint: string;
  /** By secret name. */
  secrets: Map<string, FakeSecret>;
  /** By parameter name. */
  parameters: Map<string, FakeParameter>;
  /** Every received call in order, failed ones and SDK retries included. */
  calls: FakeAwsCall[];
  /** Test setup without going through the API (not recorded in `calls`); no value = secret without any version. */
  putSecret(name: string, value?: string): FakeSecret;
  putParameter(
    name: string,
    value: string,
    options?: { type?: FakeParameter['type']; tier?: ParameterTier },
  ): FakeParameter;
  /** `AWSCURRENT` SecretString of a secret, if any. */
  secretValue(name: string): string | undefined;
  /** The next call with this target fails once with this error (queued per target). */
  failNext(target: string, failure: FakeAwsFailure): void;
  close(): Promise<void>;
}

class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const ACCOUNT = '123456789012';
const STANDARD_MAX = 4096;
const ADVANCED_MAX = 8192;

/** The client's region, from the SigV4 credential scope, so ARNs match what a real call returns. */
function regionOf(authorization: string | undefined): string {
  return /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(authorization ?? '')?.[1] ?? 'us-east-1';
}

const epochSeconds = (d: Date) => d.getTime() / 1000;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export interface FakeAwsOptions {
  /** Region in ARNs made by the setup helpers (API calls use the caller's region). Default us-east-1. */
  region?: string;
}

export async function startFakeAws(options: FakeAwsOptions = {}): Promise<FakeAws> {
  const setupRegion = options.region ?? 'us-east-1';
  const secrets = new Map<string, FakeSecret>();
  const parameters = new Map<string, FakeParameter>();
  const calls: FakeAwsCall[] = [];
  const failures = new Map<string, FakeAwsFailure[]>();

  // ---- Secrets Manager ------------------------------------------------------------------------

  function createSecret(name: string, region: string): FakeSecret {
    // Real ARNs end in '-' plus 6 random characters, so code must not build ARNs from names.
    const suffix = randomBytes(6).toString('base64url').replace(/[-_]/g, 'x').slice(0, 6);
    const secret = {
      name,
      arn: `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:${name}-${suffix}`,
      createdDate: new Date(),
      versions: [],
    };
    secrets.set(name, secret);
    return secret;
  }

  function findSecret(secretId: unknown): FakeSecret {
    const id = str(secretId);
    const secret = id === undefined ? undefined : (secrets.get(id) ?? [...secrets.values()].find((s) => s.arn === id));
    if (!secret) throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return secret;
  }

  function addVersion(
    secret: FakeSecret,
    secretString: string | undefined,
    versionId: string = randomUUID(),
  ): FakeSecretVersion {
    const existing = secret.versions.find((v) => v.versionId === versionId);
    if (existing) {
      // ClientRequestToken is an idempotency key: a retry with the same value is a no-op.
      if (existing.secretString === secretString) return existing;
      throw new AwsError(
        'ResourceExistsException',
        "You can't modify an existing version, you can only create a new version.",
      );
    }
    for (const v of secret.versions) {
      v.stages = v.stages.filter((s) => s !== 'AWSPREVIOUS');
      if (v.stages.includes('AWSCURRENT')) v.stages = [...v.stages.filter((s) => s !== 'AWSCURRENT'), 'AWSPREVIOUS'];
    }
    const version: FakeSecretVersion = { versionId, stages: ['AWSCURRENT'], createdDate: new Date() };
    if (secretString !== undefined) version.secretString = secretString;
    secret.versions.push(version);
    return version;
  }

  const secretsManager: Record<string, (input: Record<string, unknown>, region: string) => object> = {
    CreateSecret(input, region) {
      const name = str(input.Name);
      if (!name) throw new AwsError('ValidationException', 'Name is required.');
      if (secrets.has(name)) {
        throw new AwsError(
          'ResourceExistsException',
          `The operation failed because the secret ${name} already exists.`,
        );
      }
      const secret = createSecret(name, region);
      const kmsKeyId = str(input.KmsKeyId);
      if (kmsKeyId !== undefined) secret.kmsKeyId = kmsKeyId;
      if (Array.isArray(input.Tags)) secret.tags = input.Tags as { Key: string; Value: string }[];
      const value = str(input.SecretString);
      if (value === undefined) return { ARN: secret.arn, Name: name };
      const version = addVersion(secret, value, str(input.ClientRequestToken));
      return { ARN: secret.arn, Name: name, VersionId: version.versionId };
    },
    GetSecretValue(input) {
      const secret = findSecret(input.SecretId);
      const versionId = str(input.VersionId);
      const stage = str(input.VersionStage) ?? (versionId === undefined ? 'AWSCURRENT' : undefined);
      const version = secret.versions.find(
        (v) =>
          (versionId === undefined || v.versionId === versionId) && (stage === undefined || v.stages.includes(stage)),
      );
      if (!version) {
        const what = versionId === undefined ? `staging label: ${stage}` : `VersionId: ${versionId}`;
        throw new AwsError(
          'ResourceNotFoundException',
          `Secrets Manager can't find the specified secret value for ${what}`,
        );
      }
      return {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: version.versionId,
        SecretString: version.secretString,
        VersionStages: version.stages,
        CreatedDate: epochSeconds(version.createdDate),
      };
    },
    DescribeSecret(input) {
      const secret = findSecret(input.SecretId);
      return {
        ARN: secret.arn,
        Name: secret.name,
        CreatedDate: epochSeconds(secret.createdDate),
        ...(secret.kmsKeyId === undefined ? {} : { KmsKeyId: secret.kmsKeyId }),
        ...(secret.tags === undefined ? {} : { Tags: secret.tags }),
      };
    },
    GetResourcePolicy(input) {
      const secret = findSecret(input.SecretId);
      return {
        ARN: secret.arn,
        Name: secret.name,
        ...(secret.resourcePolicy === undefined ? {} : { ResourcePolicy: secret.resourcePolicy }),
      };
    },
    PutResourcePolicy(input) {
      const secret = findSecret(input.SecretId);
      const policy = str(input.ResourcePolicy);
      if (policy === undefined) throw new AwsError('ValidationException', 'ResourcePolicy is required.');
      secret.resourcePolicy = policy;
      return { ARN: secret.arn, Name: secret.name };
    },
    PutSecretValue(input) {
      const secret = findSecret(input.SecretId);
      const value = str(input.SecretString);
      if (value === undefined)
        throw new AwsError('InvalidRequestException', 'You must provide either SecretString or SecretBinary.');
      const version = addVersion(secret, value, str(input.ClientRequestToken));
      return { ARN: secret.arn, Name: secret.name, VersionId: version.versionId, VersionStages: version.stages };
    },
  };

  // ---- SSM Parameter Store --------------------------------------------------------------------

  function writeParameter(
    name: string,
    value: string,
    region: string,
    opts: { type?: string; tier?: string; overwrite?: boolean; dataType?: string; keyId?: string },
  ): FakeParameter {
    const existing = parameters.get(name);
    if (existing && !opts.overwrite) {
      throw new AwsError(
        'ParameterAlreadyExists',
        'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
      );
    }
    const type = opts.type ?? existing?.type;
    if (existing && type !== existing.type) {
      // The real service never changes a parameter's type: a new type needs a new name.
      throw new AwsError(
        'HierarchyTypeMismatchException',
        "Parameter Store doesn't support changing a parameter type in a hierarchy. You must create a new, unique parameter.",
      );
    }
    if (type !== 'String' && type !== 'StringList' && type !== 'SecureString') {
      throw new AwsError('ValidationException', 'A parameter type is required when you create a parameter.');
    }
    const requestedTier = opts.tier as ParameterTier | undefined;
    if (requestedTier !== undefined && !['Standard', 'Advanced', 'Intelligent-Tiering'].includes(requestedTier)) {
      throw new AwsError('ValidationException', `Invalid tier: ${requestedTier}`);
    }
    if (value.length > ADVANCED_MAX) {
      throw new AwsError(
        'ValidationException',
        `1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length less than or equal to ${ADVANCED_MAX}`,
      );
    }
    // Intelligent-Tiering picks Advanced only when it has to; an Advanced parameter never goes back.
    const wantsAdvanced =
      requestedTier === 'Advanced' || (requestedTier === undefined && existing?.tier === 'Advanced');
    const tier =
      wantsAdvanced || (requestedTier === 'Intelligent-Tiering' && value.length > STANDARD_MAX)
        ? 'Advanced'
        : 'Standard';
    if (tier === 'Standard' && value.length > STANDARD_MAX) {
      throw new AwsError(
        'ValidationException',
        `Standard tier parameters support a maximum parameter value of ${STANDARD_MAX} characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier.`,
      );
    }
    const parameter: FakeParameter = {
      name,
      arn: existing?.arn ?? `arn:aws:ssm:${region}:${ACCOUNT}:parameter/${name.replace(/^\//, '')}`,
      type,
      value,
      version: (existing?.version ?? 0) + 1,
      tier,
      dataType: opts.dataType ?? existing?.dataType ?? 'text',
      lastModifiedDate: new Date(),
    };
    if (requestedTier !== undefined) parameter.requestedTier = requestedTier;
    const keyId = opts.keyId ?? existing?.keyId ?? (type === 'SecureString' ? 'alias/aws/ssm' : undefined);
    if (keyId !== undefined) parameter.keyId = keyId;
    parameters.set(name, parameter);
    return parameter;
  }

  function findParameter(name: unknown): FakeParameter {
    const id = str(name);
    const parameter =
      id === undefined ? undefined : (parameters.get(id) ?? [...parameters.values()].find((p) => p.arn === id));
    // The real service answers ParameterNotFound with no message at all.
    if (!parameter) throw new AwsError('ParameterNotFound', '');
    return parameter;
  }

  const ssm: Record<string, (input: Record<string, unknown>, region: string) => object> = {
    GetParameter(input) {
      const p = findParameter(input.Name);
      // Without WithDecryption a SecureString comes back as ciphertext, not as the value.
      const value =
        p.type === 'SecureString' && input.WithDecryption !== true
          ? Buffer.from(`kms:${p.keyId}:${p.value}`).toString('base64')
          : p.value;
      return {
        Parameter: {
          Name: p.name,
          Type: p.type,
          Value: value,
          Version: p.version,
          LastModifiedDate: epochSeconds(p.lastModifiedDate),
          ARN: p.arn,
          DataType: p.dataType,
        },
      };
    },
    PutParameter(input, region) {
      const name = str(input.Name);
      const value = str(input.Value);
      if (!name || value === undefined) throw new AwsError('ValidationException', 'Name and Value are required.');
      const p = writeParameter(name, value, region, {
        type: str(input.Type),
        tier: str(input.Tier),
        overwrite: input.Overwrite === true,
        dataType: str(input.DataType),
        keyId: str(input.KeyId),
      });
      return { Version: p.version, Tier: p.tier };
    },
    DeleteParameter(input) {
      parameters.delete(findParameter(input.Name).name);
      return {};
    },
  };

  const services: Record<string, typeof ssm> = { secretsmanager: secretsManager, AmazonSSM: ssm };

  const server = createServer((req, res) => {
    const send = (status: number, body: object, extra: Record<string, string> = {}) =>
      res
        .writeHead(status, {
          'content-type': 'application/x-amz-json-1.1',
          'x-amzn-requestid': randomUUID(),
          ...extra,
        })
        .end(JSON.stringify(body));
    readBody(req).then(
      (raw) => {
        const target = String(req.headers['x-amz-target'] ?? '');
        let input: Record<string, unknown>;
        try {
          input = raw.length ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : {};
        } catch {
          send(400, { __type: 'SerializationException', message: 'Malformed JSON body.' });
          return;
        }
        calls.push({ target, input });
        const [service = '', operation = ''] = target.split('.');
        try {
          const injected = failures.get(target)?.shift();
          if (injected) throw new AwsError(injected.type, injected.message ?? '', injected.status ?? 400);
          const handler = services[service]?.[operation];
          if (!handler) throw new AwsError('UnknownOperationException', `Unknown operation ${target}`);
          send(200, handler(input, regionOf(req.headers.authorization)));
        } catch (thrown) {
          // A bug in the fake itself surfaces as a (retryable) AWS 500 rather than a hung request.
          const err = thrown instanceof AwsError ? thrown : new AwsError('InternalFailure', String(thrown), 500);
          send(
            err.status,
            { __type: err.type, ...(err.message ? { message: err.message } : {}) },
            {
              'x-amzn-errortype': err.type,
            },
          );
        }
      },
      () => res.destroy(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    endpoint,
    secrets,
    parameters,
    calls,
    putSecret(name, value) {
      const secret = secrets.get(name) ?? createSecret(name, setupRegion);
      if (value !== undefined) addVersion(secret, value);
      return secret;
    },
    putParameter: (name, value, options = {}) =>
      writeParameter(name, value, setupRegion, { type: options.type ?? 'String', tier: options.tier, overwrite: true }),
    secretValue: (name) => secrets.get(name)?.versions.find((v) => v.stages.includes('AWSCURRENT'))?.secretString,
    failNext(target, failure) {
      failures.set(target, [...(failures.get(target) ?? []), failure]);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
