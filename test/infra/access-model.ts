/**
 * Who can read and write what, as AWS would decide it, for synthesized templates deployed into one
 * fixed account and region (test/helpers/cfn-resolver.ts resolves them). The principals are the
 * roles of the templates with every policy attached to them; the things to read are found where the
 * function finds them, in its own configuration (`TOKEN_REFRESHER_CONFIG`), with the key and the
 * resource policy the templates give them. Reading or writing is the set of calls the store makes on
 * the caller's behalf: SSM and Secrets Manager each call KMS with the caller's identity and an
 * encryption context naming the parameter or the secret.
 */
import type { App } from 'aws-cdk-lib';
import { RUNTIME_CONFIG_ENV, type RuntimeConfig, runtimeConfigSchema } from '../../contract/provider-settings.js';
import {
  type CfnEnvironment,
  CfnResolver,
  type CfnTemplate,
  parameterArn,
  secretArn,
} from '../helpers/cfn-resolver.js';
import { decide, type IamRequest, type NamedPolicy } from '../helpers/iam-evaluator.js';

export type Templates = ReadonlyMap<string, CfnTemplate>;

/** The app's templates by stack name, as plain JSON that tests may copy and change. */
export function templatesOf(app: App): Map<string, CfnTemplate> {
  return new Map(app.synth().stacks.map((s) => [s.stackName, structuredClone(s.template) as CfnTemplate]));
}

export interface Principal {
  /** `<stack>/<logical id>` of the role. */
  readonly label: string;
  readonly roleArn: string;
  readonly policies: readonly NamedPolicy[];
}

export type ItemKind = 'refresh token' | 'state ledger' | 'published token' | 'credentials secret';

export interface Item {
  /** `<stage>/<provider id> <kind>`, e.g. `default/alpha refresh token`. */
  readonly label: string;
  readonly kind: ItemKind;
  readonly stage: string;
  /** The first segment of its name, `<prefix>` in `/<prefix>/<id>/state`. */
  readonly prefix: string;
  readonly providerId: string;
  readonly store: 'SecureString' | 'String' | 'secret';
  readonly arn: string;
  /** The key a SecureString or a secret is encrypted with. */
  readonly keyArn?: string;
  /** A secret's resource policy, when the templates give it one. */
  readonly resourcePolicy?: unknown;
}

export interface Refresher {
  readonly stage: string;
  readonly prefix: string;
  readonly providerId: string;
  readonly principal: Principal;
  readonly keyArn: string;
  readonly items: readonly Item[];
  /** The function's runtime configuration, resolved. */
  readonly config: RuntimeConfig;
}

/** One call to AWS, made by a principal. */
export type Call = Omit<IamRequest, 'principal'>;

const STAGE_TAG = 'token-refresher:stage';
const SECRET_VERSION_ID = 'EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE';

export class AccessModel {
  readonly resolver: CfnResolver;
  readonly principals: readonly Principal[];
  readonly refreshers: readonly Refresher[];
  readonly items: readonly Item[];
  /** Key policies by key ARN. */
  readonly keyPolicies: ReadonlyMap<string, unknown>;
  private readonly decisions = new Map<string, ReturnType<typeof decide>>();

  constructor(templates: Templates, env?: CfnEnvironment) {
    this.resolver = new CfnResolver(templates, env);
    const resources = [...templates].flatMap(([stackName, template]) =>
      Object.entries(template.Resources ?? {}).map(([logicalId, resource]) => ({ stackName, logicalId, resource })),
    );
    const of = (type: string) => resources.filter((r) => r.resource.Type === type);
    const resolve = (stackName: string, value: unknown) => this.resolver.resolve(stackName, value);

    this.keyPolicies = new Map(
      of('AWS::KMS::Key').map(({ stackName, logicalId, resource }) => [
        this.resolver.getAtt(stackName, logicalId, 'Arn'),
        resolve(stackName, resource.Properties?.['KeyPolicy']),
      ]),
    );

    const attached = [...of('AWS::IAM::Policy'), ...of('AWS::IAM::ManagedPolicy')].map(
      ({ stackName, logicalId, resource }) => ({
        name: `${stackName}/${logicalId}`,
        roles: ((resolve(stackName, resource.Properties?.['Roles']) as string[] | undefined) ?? []).map(String),
        policy: resolve(stackName, resource.Properties?.['PolicyDocument']),
      }),
    );
    this.principals = of('AWS::IAM::Role').map(({ stackName, logicalId, resource }) => {
      const label = `${stackName}/${logicalId}`;
      const properties = resource.Properties ?? {};
      if (properties['ManagedPolicyArns'] !== undefined) {
        throw new Error(`${label}: managed policy ARNs are not modelled; attach statements instead`);
      }
      const name = this.resolver.ref(stackName, logicalId);
      const inline = ((properties['Policies'] ?? []) as { PolicyName: string; PolicyDocument: unknown }[]).map((p) => ({
        name: `${label}/${p.PolicyName}`,
        policy: resolve(stackName, p.PolicyDocument),
      }));
      const policies = [...inline, ...attached.filter((p) => p.roles.includes(name))];
      return { label, roleArn: this.resolver.getAtt(stackName, logicalId, 'Arn'), policies };
    });

    const secrets = of('AWS::SecretsManager::Secret').map(({ stackName, logicalId, resource }) => {
      const arn = this.resolver.ref(stackName, logicalId);
      const policies = of('AWS::SecretsManager::ResourcePolicy').filter(
        (p) => resolve(p.stackName, p.resource.Properties?.['SecretId']) === arn,
      );
      if (policies.length > 1) throw new Error(`${stackName}/${logicalId}: ${policies.length} resource policies`);
      const [policy] = policies;
      return {
        name: resolve(stackName, resource.Properties?.['Name']),
        arn,
        keyArn: resolve(stackName, resource.Properties?.['KmsKeyId']) as string | undefined,
        resourcePolicy: policy && resolve(policy.stackName, policy.resource.Properties?.['ResourcePolicy']),
      };
    });

    this.refreshers = of('AWS::Lambda::Function').flatMap(({ stackName, logicalId, resource }) => {
      const properties = resource.Properties as {
        Role: unknown;
        Environment?: { Variables?: Record<string, unknown> };
        Tags?: { Key: string; Value: string }[];
      };
      const raw = properties.Environment?.Variables?.[RUNTIME_CONFIG_ENV];
      if (raw === undefined) return [];
      const label = `${stackName}/${logicalId}`;
      const config = runtimeConfigSchema.parse(JSON.parse(this.resolver.resolveString(stackName, raw)));
      const roleArn = this.resolver.resolveString(stackName, properties.Role);
      const principal = this.principals.find((p) => p.roleArn === roleArn);
      if (!principal) throw new Error(`${label}: its role ${roleArn} is in no template`);
      const keyArn = config.resources.parameterKeyId;
      if (!keyArn) throw new Error(`${label}: no key in its configuration; the model needs a customer-managed key`);
      const stage = properties.Tags?.find((t) => t.Key === STAGE_TAG)?.Value;
      if (!stage) throw new Error(`${label}: no ${STAGE_TAG} tag`);
      const providerId = config.provider.id;
      const prefix = config.resources.stateParameterName.split('/')[1]!;
      const env = this.resolver.env;
      const item = (kind: ItemKind, store: Item['store'], arn: string, extra: Partial<Item> = {}): Item => ({
        label: `${stage}/${providerId} ${kind}`,
        kind,
        stage,
        prefix,
        providerId,
        store,
        arn,
        ...(store === 'String' ? {} : { keyArn }),
        ...extra,
      });
      const { tokenStore, credentialsSecretId } = config.resources;
      const tokenSecret = secrets.find((s) => s.name === tokenStore.id);
      const credentials = secrets.find((s) => s.name === credentialsSecretId || s.arn === credentialsSecretId);
      if (!credentials) throw new Error(`${label}: credentials ${credentialsSecretId} not created by the templates`);
      if (!credentials.keyArn) throw new Error(`${label}: credentials ${credentialsSecretId} have no key`);
      const items = [
        item('refresh token', 'SecureString', parameterArn(env, config.resources.stateParameterName)),
        item('state ledger', 'String', parameterArn(env, config.resources.ledgerParameterName)),
        tokenStore.kind === 'parameterstore'
          ? item('published token', 'SecureString', parameterArn(env, tokenStore.id))
          : item('published token', 'secret', tokenSecret?.arn ?? secretArn(env, tokenStore.id), {
              ...(tokenSecret?.resourcePolicy ? { resourcePolicy: tokenSecret.resourcePolicy } : {}),
            }),
        item('credentials secret', 'secret', credentials.arn, {
          keyArn: credentials.keyArn,
          ...(credentials.resourcePolicy ? { resourcePolicy: credentials.resourcePolicy } : {}),
        }),
      ];
      return [{ stage, prefix, providerId, principal, keyArn, items, config }];
    });
    this.items = this.refreshers.flatMap((r) => r.items);
  }

  /** The principal whose label ends with `/<logicalIdPrefix>…`; exactly one must match. */
  principal(logicalIdPrefix: string): Principal {
    const found = this.principals.filter((p) => p.label.split('/')[1]!.startsWith(logicalIdPrefix));
    if (found.length !== 1) throw new Error(`${found.length} principals start with ${logicalIdPrefix}`);
    return found[0]!;
  }

  /** The calls AWS makes, with the caller's identity, when it reads `item`. */
  readCalls(item: Item): Call[] {
    switch (item.store) {
      case 'String':
        return [{ action: 'ssm:GetParameter', resource: item.arn }];
      case 'SecureString':
        return [{ action: 'ssm:GetParameter', resource: item.arn }, this.keyCall('kms:Decrypt', item)];
      case 'secret':
        return [this.secretCall('secretsmanager:GetSecretValue', item), this.keyCall('kms:Decrypt', item)];
    }
  }

  /**
   * The ways of writing `item`, each a set of calls that must all be allowed: a SecureString is
   * encrypted with `kms:Encrypt` while it is standard, with `kms:GenerateDataKey` once it is advanced
   * (the function writes it with Intelligent-Tiering).
   */
  writeWays(item: Item): Call[][] {
    switch (item.store) {
      case 'String':
        return [[{ action: 'ssm:PutParameter', resource: item.arn }]];
      case 'SecureString':
        return ['kms:Encrypt', 'kms:GenerateDataKey'].map((kms) => [
          { action: 'ssm:PutParameter', resource: item.arn },
          this.keyCall(kms, item),
        ]);
      case 'secret':
        return [[this.secretCall('secretsmanager:PutSecretValue', item), this.keyCall('kms:GenerateDataKey', item)]];
    }
  }

  /** A call the store makes to KMS for `item` on the caller's behalf, with the context AWS gives it. */
  keyCall(action: string, item: Item, keyArn = item.keyArn): Call {
    if (!keyArn) throw new Error(`${item.label} has no key`);
    const { region, account } = this.resolver.env;
    const context: Record<string, string | string[]> =
      item.store === 'secret'
        ? {
            'kms:ViaService': `secretsmanager.${region}.amazonaws.com`,
            'kms:EncryptionContext:SecretARN': item.arn,
            'kms:EncryptionContext:SecretVersionId': SECRET_VERSION_ID,
            'kms:EncryptionContextKeys': ['SecretARN', 'SecretVersionId'],
          }
        : {
            'kms:ViaService': `ssm.${region}.amazonaws.com`,
            'kms:EncryptionContext:PARAMETER_ARN': item.arn,
            'kms:EncryptionContextKeys': ['PARAMETER_ARN'],
          };
    return {
      action,
      resource: keyArn,
      context: { ...context, 'kms:CallerAccount': account },
      resourcePolicy: this.keyPolicies.get(keyArn),
    };
  }

  private secretCall(action: string, item: Item): Call {
    return { action, resource: item.arn, ...(item.resourcePolicy ? { resourcePolicy: item.resourcePolicy } : {}) };
  }

  /** Whether AWS allows `call` to `principal`; decisions are cached per model. */
  async allows(principal: Pick<Principal, 'roleArn' | 'policies'>, call: Call): Promise<boolean> {
    return (await this.decision(principal, call)) === 'Allowed';
  }

  decision(principal: Pick<Principal, 'roleArn' | 'policies'>, call: Call): ReturnType<typeof decide> {
    const key = JSON.stringify([principal.roleArn, principal.policies, call]);
    let decision = this.decisions.get(key);
    if (!decision) {
      decision = decide({ principal, ...call });
      this.decisions.set(key, decision);
    }
    return decision;
  }

  async allowsAll(principal: Principal, calls: readonly Call[]): Promise<boolean> {
    for (const call of calls) if (!(await this.allows(principal, call))) return false;
    return true;
  }

  canRead(principal: Principal, item: Item): Promise<boolean> {
    return this.allowsAll(principal, this.readCalls(item));
  }

  /** How many of the ways of writing `item` (see `writeWays`) are open to `principal`. */
  async writeWaysOpen(principal: Principal, item: Item): Promise<{ open: number; of: number }> {
    const ways = this.writeWays(item);
    let open = 0;
    for (const way of ways) if (await this.allowsAll(principal, way)) open += 1;
    return { open, of: ways.length };
  }

  async canWrite(principal: Principal, item: Item): Promise<boolean> {
    return (await this.writeWaysOpen(principal, item)).open > 0;
  }
}
