/**
 * TokenReader with the real SDK clients against the fake AWS endpoint (AWS JSON protocol on
 * 127.0.0.1): the wire requests, the SDK's error mapping and a throttled answer, end to end.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TokenNotFoundError, TokenReader, TokenReadError } from '../../consumer/index.js';
import { type FakeAws, startFakeAws } from '../helpers/fake-aws.js';
import { recordingSleep } from './fakes.js';

let aws: FakeAws;
beforeAll(async () => {
  aws = await startFakeAws();
});
afterAll(() => aws.close());
beforeEach(() => {
  aws.calls.length = 0;
});

/** Clients as the reader creates them (no SDK retries), pointed at the fake. */
const options = () =>
  ({
    endpoint: aws.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  }) as const;

const published = JSON.stringify({
  access_token: 'at-wire-1',
  token_type: 'Bearer',
  expires_at: Math.floor(Date.now() / 1000) + 300,
  issued_at: Math.floor(Date.now() / 1000),
  provider: 'wire',
});

function reader(tokenSource: string) {
  const { sleep, delays } = recordingSleep();
  const r = new TokenReader({
    tokenSource,
    ssm: new SSMClient(options()),
    secretsManager: new SecretsManagerClient(options()),
    sleep,
  });
  return { reader: r, delays };
}

describe('TokenReader on the wire', () => {
  it('decrypts a SecureString (without WithDecryption SSM would answer the ciphertext)', async () => {
    // GIVEN
    aws.putParameter('/tr/wire/token', published, { type: 'SecureString' });
    // WHEN
    const accessToken = await reader('ssm:/tr/wire/token').reader.getAccessToken();
    // THEN
    expect(accessToken).toBe('at-wire-1');
    expect(aws.calls).toEqual([
      { target: 'AmazonSSM.GetParameter', input: { Name: '/tr/wire/token', WithDecryption: true } },
    ]);
  });

  it('reads a secret by its ARN', async () => {
    // GIVEN
    const { arn } = aws.putSecret('tr/wire/token', published);
    // WHEN / THEN
    expect(await reader(`secretsmanager:${arn}`).reader.getAccessToken()).toBe('at-wire-1');
    expect(aws.calls).toEqual([{ target: 'secretsmanager.GetSecretValue', input: { SecretId: arn } }]);
  });

  it('retries a ThrottlingException itself, with backoff', async () => {
    // GIVEN
    aws.putParameter('/tr/wire/throttled', published, { type: 'SecureString' });
    aws.failNext('AmazonSSM.GetParameter', { type: 'ThrottlingException', message: 'Rate exceeded' });
    aws.failNext('AmazonSSM.GetParameter', { type: 'ThrottlingException', message: 'Rate exceeded' });
    const { reader: r, delays } = reader('ssm:/tr/wire/throttled');
    // WHEN
    const accessToken = await r.getAccessToken();
    // THEN
    expect(accessToken).toBe('at-wire-1');
    expect(aws.calls).toHaveLength(3);
    expect(delays).toHaveLength(2);
  });

  it('retries a 500 and gives up after maxAttempts with the AWS error name', async () => {
    // GIVEN
    for (let i = 0; i < 4; i++) aws.failNext('AmazonSSM.GetParameter', { status: 500, type: 'InternalServerError' });
    // WHEN
    const error = await reader('ssm:/tr/wire/failing')
      .reader.getAccessToken()
      .catch((e: unknown) => e);
    // THEN
    expect(error).toBeInstanceOf(TokenReadError);
    expect(error).toMatchObject({ errorName: 'InternalServerError', attempts: 4 });
    expect(aws.calls).toHaveLength(4);
  });

  it('reports a secret created without a value as not published yet', async () => {
    // GIVEN the secret the stack creates, before the refresher's first write
    const { arn } = aws.putSecret('tr/wire/empty');
    // WHEN
    const error = await reader(`secretsmanager:${arn}`)
      .reader.getAccessToken()
      .catch((e: unknown) => e);
    // THEN
    expect(error).toBeInstanceOf(TokenNotFoundError);
    expect((error as Error).message).toContain('The refresher has not published a token yet, or the name is wrong.');
  });

  it('reports a missing parameter, naming it', async () => {
    // WHEN
    const error = await reader('ssm:/tr/wire/absent')
      .reader.getAccessToken()
      .catch((e: unknown) => e);
    // THEN
    expect(error).toBeInstanceOf(TokenNotFoundError);
    expect((error as Error).message).toContain('no token at ssm:/tr/wire/absent: the parameter does not exist');
  });
});
