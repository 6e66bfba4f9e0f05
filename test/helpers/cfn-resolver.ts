/**
 * Resolves the CloudFormation intrinsics of synthesized templates into the concrete values a
 * deployment into one fixed account and region would give them, so that policies can be evaluated
 * as AWS evaluates them (test/helpers/iam-evaluator.ts). Physical names CloudFormation would
 * generate are derived from the stack and logical id, deterministically; anything it cannot resolve
 * (an unknown resource type, attribute, function or export) throws, naming what is missing.
 */
import { createHash } from 'node:crypto';

export interface CfnEnvironment {
  readonly account: string;
  readonly region: string;
  readonly partition: string;
}

/** The account and region every evaluator test deploys into. */
export const TEST_ENV: CfnEnvironment = { account: '111122223333', region: 'eu-central-1', partition: 'aws' };

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

export interface CfnTemplate {
  readonly Resources?: Record<string, CfnResource>;
  readonly Outputs?: Record<string, { readonly Value: unknown; readonly Export?: { readonly Name: unknown } }>;
}

/** How a resource of one type answers `Ref` and `Fn::GetAtt`, given its physical name and its resolved path. */
type Attributes = Record<string, (name: string, path: string) => string>;

/** A hash of `parts` as `length` characters of [0-9a-z] (or of `alphabet`), stable across runs. */
export function stableSuffix(length: number, alphabet: string, ...parts: string[]): string {
  const digest = createHash('sha256').update(parts.join('\0')).digest();
  return Array.from(digest.subarray(0, length), (byte) => alphabet[byte % alphabet.length]).join('');
}

const ALNUM = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const HEX = '0123456789abcdef';
const UPPER = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** The six characters Secrets Manager appends to a secret's name in its ARN. */
export function secretSuffix(name: string): string {
  return stableSuffix(6, ALNUM, 'secret', name);
}

/** `arn:...:secret:<name>-XXXXXX`, as Secrets Manager names a secret it creates. */
export function secretArn(env: CfnEnvironment, name: string): string {
  return `arn:${env.partition}:secretsmanager:${env.region}:${env.account}:secret:${name}-${secretSuffix(name)}`;
}

/** `arn:...:parameter/a/b` for the parameter `/a/b`. */
export function parameterArn(env: CfnEnvironment, name: string): string {
  return `arn:${env.partition}:ssm:${env.region}:${env.account}:parameter/${name.replace(/^\/+/, '')}`;
}

export class CfnResolver {
  private readonly resolving = new Set<string>();

  constructor(
    private readonly templates: ReadonlyMap<string, CfnTemplate>,
    readonly env: CfnEnvironment = TEST_ENV,
  ) {}

  /** `value` with every intrinsic replaced by its concrete value, as if deployed in `stackName`. */
  resolve(stackName: string, value: unknown): unknown {
    if (Array.isArray(value)) return value.map((item) => this.resolve(stackName, item));
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value);
    const [first] = entries;
    if (entries.length === 1 && first && (first[0] === 'Ref' || first[0].startsWith('Fn::'))) {
      return this.intrinsic(stackName, first[0], first[1]);
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, this.resolve(stackName, v)]));
  }

  /** `resolve`, checked to give a string. */
  resolveString(stackName: string, value: unknown): string {
    const resolved = this.resolve(stackName, value);
    if (typeof resolved !== 'string') {
      throw new Error(
        `${stackName}: expected ${JSON.stringify(value)} to resolve to a string, got ${JSON.stringify(resolved)}`,
      );
    }
    return resolved;
  }

  /** The resource with this logical id, or a thrown error that names the stack. */
  resource(stackName: string, logicalId: string): CfnResource {
    const template = this.templates.get(stackName);
    if (!template) throw new Error(`no stack named ${stackName} (have ${[...this.templates.keys()].join(', ')})`);
    const resource = template.Resources?.[logicalId];
    if (!resource) throw new Error(`${stackName}: no resource ${logicalId}`);
    return resource;
  }

  ref(stackName: string, logicalId: string): string {
    const pseudo = this.pseudoParameter(stackName, logicalId);
    if (pseudo !== undefined) return pseudo;
    return this.attribute(stackName, logicalId, 'Ref');
  }

  getAtt(stackName: string, logicalId: string, attribute: string): string {
    return this.attribute(stackName, logicalId, attribute);
  }

  private intrinsic(stackName: string, name: string, argument: unknown): unknown {
    switch (name) {
      case 'Ref':
        return this.ref(stackName, this.literalString(stackName, name, argument));
      case 'Fn::GetAtt': {
        const [logicalId, attribute] =
          typeof argument === 'string' ? splitOnce(argument, '.') : (argument as [unknown, unknown]);
        return this.getAtt(
          stackName,
          this.literalString(stackName, name, logicalId),
          this.literalString(stackName, name, attribute),
        );
      }
      case 'Fn::Join': {
        const [separator, list] = argument as [string, unknown];
        return this.stringList(stackName, name, list).join(separator);
      }
      case 'Fn::Select': {
        const [index, list] = argument as [unknown, unknown];
        const items = this.stringList(stackName, name, list);
        const at = Number(this.resolve(stackName, index));
        if (!Number.isInteger(at) || at < 0 || at >= items.length) {
          throw new Error(`${stackName}: Fn::Select index ${String(at)} outside ${JSON.stringify(items)}`);
        }
        return items[at];
      }
      case 'Fn::Split': {
        const [separator, source] = argument as [string, unknown];
        return this.resolveString(stackName, source).split(separator);
      }
      case 'Fn::Sub':
        return this.sub(stackName, argument);
      case 'Fn::ImportValue':
        return this.importValue(this.resolveString(stackName, argument));
      default:
        throw new Error(`${stackName}: cannot resolve ${name} ${JSON.stringify(argument)}: not supported`);
    }
  }

  private literalString(stackName: string, fn: string, value: unknown): string {
    if (typeof value !== 'string') throw new Error(`${stackName}: ${fn} expects a name, got ${JSON.stringify(value)}`);
    return value;
  }

  private stringList(stackName: string, fn: string, list: unknown): string[] {
    const resolved = this.resolve(stackName, list);
    if (!Array.isArray(resolved) || !resolved.every((item) => typeof item === 'string')) {
      throw new Error(`${stackName}: ${fn} expects a list of strings, got ${JSON.stringify(resolved)}`);
    }
    return resolved;
  }

  private sub(stackName: string, argument: unknown): string {
    const [text, variables] =
      typeof argument === 'string' ? [argument, {}] : (argument as [string, Record<string, unknown>]);
    return text.replace(/\$\{(!?)([^}]+)\}/g, (_, literal: string, expression: string) => {
      if (literal) return `\${${expression}}`;
      if (Object.hasOwn(variables, expression)) return this.resolveString(stackName, variables[expression]);
      const [logicalId, attribute] = splitOnce(expression, '.');
      return attribute === undefined ? this.ref(stackName, logicalId) : this.getAtt(stackName, logicalId, attribute);
    });
  }

  private importValue(exportName: string): unknown {
    const found: [string, unknown][] = [];
    for (const [stackName, template] of this.templates) {
      for (const output of Object.values(template.Outputs ?? {})) {
        if (output.Export && this.resolve(stackName, output.Export.Name) === exportName)
          found.push([stackName, output.Value]);
      }
    }
    const [only] = found;
    if (found.length !== 1 || !only) {
      throw new Error(
        `Fn::ImportValue ${exportName}: ${found.length === 0 ? 'no stack exports it' : 'exported twice'}`,
      );
    }
    return this.resolve(only[0], only[1]);
  }

  private pseudoParameter(stackName: string, name: string): string | undefined {
    const { account, region, partition } = this.env;
    switch (name) {
      case 'AWS::AccountId':
        return account;
      case 'AWS::Region':
        return region;
      case 'AWS::Partition':
        return partition;
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return stackName;
      case 'AWS::StackId':
        // A stable, made-up stack id: the refreshers import the shared stack's to recognise its secrets.
        return `arn:${partition}:cloudformation:${region}:${account}:stack/${stackName}/00000000-0000-0000-0000-000000000000`;
      default:
        if (name.startsWith('AWS::')) throw new Error(`${stackName}: pseudo parameter ${name} is not supported`);
        return undefined;
    }
  }

  private attribute(stackName: string, logicalId: string, attribute: string): string {
    const key = `${stackName}/${logicalId}`;
    if (this.resolving.has(key)) throw new Error(`${stackName}: ${logicalId} refers to itself through its name`);
    this.resolving.add(key);
    try {
      const resource = this.resource(stackName, logicalId);
      const rule = this.attributes(resource.Type)?.[attribute];
      if (!rule) {
        const what = attribute === 'Ref' ? 'Ref' : `Fn::GetAtt ${attribute}`;
        throw new Error(`${stackName}: cannot resolve ${what} of ${logicalId} (${resource.Type}): no rule for it`);
      }
      const path = resource.Properties?.['Path'];
      return rule(
        this.physicalName(stackName, logicalId, resource),
        path === undefined ? '/' : this.resolveString(stackName, path),
      );
    } finally {
      this.resolving.delete(key);
    }
  }

  /** The resource's name property when the template sets one, else the name CloudFormation would generate. */
  private physicalName(stackName: string, logicalId: string, resource: CfnResource): string {
    const property = NAME_PROPERTY[resource.Type];
    const given = property === undefined ? undefined : resource.Properties?.[property];
    if (given !== undefined) return this.resolveString(stackName, given);
    return `${`${stackName}-${logicalId}`.slice(0, 50)}-${stableSuffix(12, UPPER, stackName, logicalId)}`;
  }

  private attributes(type: string): Attributes | undefined {
    const { account, region, partition } = this.env;
    const arn = (service: string, resource: string, regional = true) =>
      `arn:${partition}:${service}:${regional ? region : ''}:${account}:${resource}`;
    const keyId = (name: string) => {
      const hex = stableSuffix(32, HEX, name);
      return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join('-');
    };
    const rules: Record<string, Attributes> = {
      'AWS::KMS::Key': {
        Ref: keyId,
        KeyId: keyId,
        Arn: (name) => arn('kms', `key/${keyId(name)}`),
      },
      'AWS::IAM::Role': {
        Ref: (name) => name,
        Arn: (name, path) => arn('iam', `role${path}${name}`, false),
        RoleId: (name) => `AROA${stableSuffix(17, UPPER, 'role', name)}`,
      },
      'AWS::SecretsManager::Secret': {
        Ref: (name) => secretArn(this.env, name),
        Id: (name) => secretArn(this.env, name),
      },
      'AWS::SQS::Queue': {
        Ref: (name) => `https://sqs.${region}.amazonaws.com/${account}/${name}`,
        QueueUrl: (name) => `https://sqs.${region}.amazonaws.com/${account}/${name}`,
        Arn: (name) => arn('sqs', name),
        QueueName: (name) => name,
      },
      'AWS::Logs::LogGroup': {
        Ref: (name) => name,
        Arn: (name) => arn('logs', `log-group:${name}:*`),
      },
      'AWS::Lambda::Function': {
        Ref: (name) => name,
        Arn: (name) => arn('lambda', `function:${name}`),
      },
      'AWS::SNS::Topic': {
        Ref: (name) => arn('sns', name),
        TopicArn: (name) => arn('sns', name),
        TopicName: (name) => name,
      },
      'AWS::CloudWatch::Alarm': {
        Ref: (name) => name,
        Arn: (name) => arn('cloudwatch', `alarm:${name}`),
      },
    };
    return rules[type];
  }
}

/** The property that names a resource of each type, where the template may set it. */
const NAME_PROPERTY: Record<string, string> = {
  'AWS::IAM::Role': 'RoleName',
  'AWS::SecretsManager::Secret': 'Name',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::CloudWatch::Alarm': 'AlarmName',
};

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at === -1 ? [text, undefined] : [text.slice(0, at), text.slice(at + separator.length)];
}
