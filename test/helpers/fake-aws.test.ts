import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetResourcePolicyCommand,
  GetSecretValueCommand,
  PutResourcePolicyCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  DeleteParameterCommand,
  GetParameterCommand,
  ParameterAlreadyExists,
  ParameterNotFound,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeAws, startFakeAws } from './fake-aws.js';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

describe('startFakeAws', () => {
  let aws: FakeAws;
  let sm: SecretsManagerClient;
  let ssm: SSMClient;

  beforeAll(async () => {
    aws = await startFakeAws({ region: 'eu-west-1' });
    sm = new SecretsManagerClient({ endpoint: aws.endpoint, region: 'eu-west-1', credentials });
    ssm = new SSMClient({ endpoint: aws.endpoint, region: 'eu-west-1', credentials });
  });
  afterAll(async () => {
    sm.destroy();
    ssm.destroy();
    await aws.close();
  });

  describe('Secrets Manager', () => {
    it('CreateSecret, GetSecretValue by name and ARN, PutSecretValue with a new version each time', async () => {
      const created = await sm.send(new CreateSecretCommand({ Name: 'tokens/a', SecretString: '{"v":1}' }));
      expect(created.ARN).toMatch(/^arn:aws:secretsmanager:eu-west-1:123456789012:secret:tokens\/a-\w{6}$/);

      const first = await sm.send(new GetSecretValueCommand({ SecretId: 'tokens/a' }));
      expect(first).toMatchObject({ Name: 'tokens/a', SecretString: '{"v":1}', VersionStages: ['AWSCURRENT'] });
      expect(first.CreatedDate).toBeInstanceOf(Date);

      const put = await sm.send(new PutSecretValueCommand({ SecretId: created.ARN, SecretString: '{"v":2}' }));
      expect(put).toMatchObject({ ARN: created.ARN, Name: 'tokens/a', VersionStages: ['AWSCURRENT'] });
      expect(put.VersionId).not.toBe(first.VersionId);

      const byArn = await sm.send(new GetSecretValueCommand({ SecretId: created.ARN }));
      expect(byArn).toMatchObject({ SecretString: '{"v":2}', VersionId: put.VersionId });
      const previous = await sm.send(new GetSecretValueCommand({ SecretId: 'tokens/a', VersionStage: 'AWSPREVIOUS' }));
      expect(previous.SecretString).toBe('{"v":1}');
      expect(aws.secretValue('tokens/a')).toBe('{"v":2}');
      await expect(sm.send(new CreateSecretCommand({ Name: 'tokens/a' }))).rejects.toBeInstanceOf(
        ResourceExistsException,
      );
    });

    it('treats ClientRequestToken as an idempotency key', async () => {
      aws.putSecret('tokens/idem', 'old');
      const token = '11111111-2222-3333-4444-555555555555';
      const once = await sm.send(
        new PutSecretValueCommand({ SecretId: 'tokens/idem', SecretString: 'x', ClientRequestToken: token }),
      );
      const again = await sm.send(
        new PutSecretValueCommand({ SecretId: 'tokens/idem', SecretString: 'x', ClientRequestToken: token }),
      );
      expect(again.VersionId).toBe(once.VersionId);
      expect(aws.secrets.get('tokens/idem')?.versions).toHaveLength(2);
      await expect(
        sm.send(new PutSecretValueCommand({ SecretId: 'tokens/idem', SecretString: 'y', ClientRequestToken: token })),
      ).rejects.toBeInstanceOf(ResourceExistsException);
    });

    it('DescribeSecret shows the key and tags it was created with, GetResourcePolicy the policy put', async () => {
      const key = 'arn:aws:kms:eu-west-1:123456789012:key/k';
      const created = await sm.send(
        new CreateSecretCommand({ Name: 'tokens/described', KmsKeyId: key, Tags: [{ Key: 'team', Value: 'a' }] }),
      );
      const plain = await sm.send(new CreateSecretCommand({ Name: 'tokens/plain' }));

      expect(await sm.send(new DescribeSecretCommand({ SecretId: 'tokens/described' }))).toMatchObject({
        ARN: created.ARN,
        KmsKeyId: key,
        Tags: [{ Key: 'team', Value: 'a' }],
      });
      // The AWS-managed key is not named, as the real service does.
      expect((await sm.send(new DescribeSecretCommand({ SecretId: plain.ARN }))).KmsKeyId).toBeUndefined();
      expect((await sm.send(new GetResourcePolicyCommand({ SecretId: plain.ARN }))).ResourcePolicy).toBeUndefined();
      await sm.send(new PutResourcePolicyCommand({ SecretId: plain.ARN, ResourcePolicy: '{"Statement":[]}' }));
      expect(await sm.send(new GetResourcePolicyCommand({ SecretId: 'tokens/plain' }))).toMatchObject({
        ARN: plain.ARN,
        ResourcePolicy: '{"Statement":[]}',
      });
      await expect(sm.send(new DescribeSecretCommand({ SecretId: 'nope' }))).rejects.toBeInstanceOf(
        ResourceNotFoundException,
      );
    });

    it('a missing secret and a secret without a value are ResourceNotFoundException', async () => {
      await expect(sm.send(new GetSecretValueCommand({ SecretId: 'nope' }))).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
        message: "Secrets Manager can't find the specified secret.",
      });
      aws.putSecret('tokens/empty');
      const err = await sm.send(new GetSecretValueCommand({ SecretId: 'tokens/empty' })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ResourceNotFoundException);
      expect((err as Error).message).toBe(
        "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
      );
      await expect(sm.send(new PutSecretValueCommand({ SecretId: 'nope', SecretString: 'x' }))).rejects.toBeInstanceOf(
        ResourceNotFoundException,
      );
    });

    it('records calls by x-amz-target with the JSON input', async () => {
      aws.putSecret('tokens/rec', 'v');
      const before = aws.calls.length;
      await sm.send(new GetSecretValueCommand({ SecretId: 'tokens/rec' }));
      expect(aws.calls.slice(before)).toEqual([
        { target: 'secretsmanager.GetSecretValue', input: { SecretId: 'tokens/rec' } },
      ]);
    });
  });

  describe('SSM Parameter Store', () => {
    it('PutParameter creates, refuses to overwrite without Overwrite, and bumps Version with it', async () => {
      const created = await ssm.send(
        new PutParameterCommand({ Name: '/tokens/p', Value: 'one', Type: 'SecureString' }),
      );
      expect(created).toMatchObject({ Version: 1, Tier: 'Standard' });
      await expect(
        ssm.send(new PutParameterCommand({ Name: '/tokens/p', Value: 'two', Type: 'SecureString' })),
      ).rejects.toBeInstanceOf(ParameterAlreadyExists);
      const overwritten = await ssm.send(
        new PutParameterCommand({ Name: '/tokens/p', Value: 'two', Type: 'SecureString', Overwrite: true }),
      );
      expect(overwritten.Version).toBe(2);
      expect(aws.parameters.get('/tokens/p')).toMatchObject({ type: 'SecureString', tier: 'Standard', value: 'two' });
    });

    it('GetParameter returns the parameter, decrypted only WithDecryption', async () => {
      aws.putParameter('/tokens/g', 'plain-secret', { type: 'SecureString' });
      const { Parameter } = await ssm.send(new GetParameterCommand({ Name: '/tokens/g', WithDecryption: true }));
      expect(Parameter).toMatchObject({
        Name: '/tokens/g',
        Type: 'SecureString',
        Value: 'plain-secret',
        Version: 1,
        DataType: 'text',
        ARN: 'arn:aws:ssm:eu-west-1:123456789012:parameter/tokens/g',
      });
      expect(Parameter?.LastModifiedDate).toBeInstanceOf(Date);
      const encrypted = await ssm.send(new GetParameterCommand({ Name: '/tokens/g' }));
      expect(encrypted.Parameter?.Value).not.toBe('plain-secret');
    });

    it('enforces tier size limits: Standard 4096, Advanced and Intelligent-Tiering 8192', async () => {
      const put = (name: string, size: number, Tier?: 'Standard' | 'Advanced' | 'Intelligent-Tiering') =>
        ssm.send(
          new PutParameterCommand({ Name: name, Value: 'x'.repeat(size), Type: 'String', Tier, Overwrite: true }),
        );
      expect(await put('/size/std', 4096)).toMatchObject({ Tier: 'Standard' });
      await expect(put('/size/std', 4097)).rejects.toMatchObject({ name: 'ValidationException' });
      await expect(put('/size/std', 4097, 'Standard')).rejects.toMatchObject({ name: 'ValidationException' });
      expect(await put('/size/it', 4097, 'Intelligent-Tiering')).toMatchObject({ Tier: 'Advanced' });
      expect(aws.parameters.get('/size/it')).toMatchObject({ tier: 'Advanced', requestedTier: 'Intelligent-Tiering' });
      expect(await put('/size/adv', 8192, 'Advanced')).toMatchObject({ Tier: 'Advanced' });
      await expect(put('/size/adv', 8193, 'Advanced')).rejects.toMatchObject({ name: 'ValidationException' });
      await expect(put('/size/it', 8193, 'Intelligent-Tiering')).rejects.toMatchObject({ name: 'ValidationException' });
    });

    it('DeleteParameter removes it; later reads and deletes are ParameterNotFound', async () => {
      aws.putParameter('/tokens/d', 'v');
      await ssm.send(new DeleteParameterCommand({ Name: '/tokens/d' }));
      expect(aws.parameters.has('/tokens/d')).toBe(false);
      await expect(ssm.send(new GetParameterCommand({ Name: '/tokens/d' }))).rejects.toBeInstanceOf(ParameterNotFound);
      await expect(ssm.send(new DeleteParameterCommand({ Name: '/tokens/d' }))).rejects.toBeInstanceOf(
        ParameterNotFound,
      );
    });
  });

  describe('failNext', () => {
    it('fails exactly the next call of that target with the given status and type', async () => {
      aws.putSecret('tokens/f', 'v');
      const noRetry = new SecretsManagerClient({
        endpoint: aws.endpoint,
        region: 'us-east-1',
        credentials,
        maxAttempts: 1,
      });
      try {
        aws.failNext('secretsmanager.PutSecretValue', { type: 'InternalServiceError', status: 500, message: 'boom' });
        await expect(
          noRetry.send(new PutSecretValueCommand({ SecretId: 'tokens/f', SecretString: 'w' })),
        ).rejects.toMatchObject({
          name: 'InternalServiceError',
          message: 'boom',
          $metadata: { httpStatusCode: 500 },
        });
        expect(aws.secretValue('tokens/f')).toBe('v');
        await noRetry.send(new PutSecretValueCommand({ SecretId: 'tokens/f', SecretString: 'w' }));
        expect(aws.secretValue('tokens/f')).toBe('w');
      } finally {
        noRetry.destroy();
      }
    });

    it('a ThrottlingException is retried by the SDK, visible in calls', async () => {
      aws.putSecret('tokens/t', 'v');
      aws.failNext('secretsmanager.GetSecretValue', { type: 'ThrottlingException', message: 'Rate exceeded' });
      const before = aws.calls.length;
      const out = await sm.send(new GetSecretValueCommand({ SecretId: 'tokens/t' }));
      expect(out.SecretString).toBe('v');
      expect(aws.calls.slice(before).map((c) => c.target)).toEqual([
        'secretsmanager.GetSecretValue',
        'secretsmanager.GetSecretValue',
      ]);
    });
  });

  it('AWS_ENDPOINT_URL routes clients without an explicit endpoint to the fake', async () => {
    const saved = process.env.AWS_ENDPOINT_URL;
    process.env.AWS_ENDPOINT_URL = aws.endpoint;
    const viaEnvSm = new SecretsManagerClient({ region: 'us-east-1', credentials });
    const viaEnvSsm = new SSMClient({ region: 'us-east-1', credentials });
    try {
      aws.putSecret('tokens/env', 'from-env');
      aws.putParameter('/tokens/env', 'from-env');
      expect((await viaEnvSm.send(new GetSecretValueCommand({ SecretId: 'tokens/env' }))).SecretString).toBe(
        'from-env',
      );
      expect((await viaEnvSsm.send(new GetParameterCommand({ Name: '/tokens/env' }))).Parameter?.Value).toBe(
        'from-env',
      );
    } finally {
      viaEnvSm.destroy();
      viaEnvSsm.destroy();
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL;
      else process.env.AWS_ENDPOINT_URL = saved;
    }
  });
});
