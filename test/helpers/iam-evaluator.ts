/**
 * One AWS authorization decision, evaluated offline by @cloud-copilot/iam-simulate (a dev dependency
 * only: it is AGPL-3.0, and test/packaging/licences.test.ts keeps it out of every package): identity
 * policies, a resource policy (a key policy, a secret's policy) and the request's context keys.
 *
 * `runSimulation` validates the policies, the action and the resource's type, but version 0.1.173
 * drops every `kms:EncryptionContext:<key>` context key as unknown, which would make every statement
 * that tests the encryption context fail to match. So each request runs twice: `runSimulation` for
 * the validation (and any other dropped key is an error), and `runUnsafeSimulation`, which keeps the
 * context as given, for the decision; when nothing was dropped, the two must agree.
 */
import {
  type EvaluationResult,
  runSimulation,
  runUnsafeSimulation,
  type Simulation,
} from '@cloud-copilot/iam-simulate';

export type Decision = EvaluationResult;

export interface NamedPolicy {
  readonly name: string;
  readonly policy: unknown;
}

export interface IamRequest {
  /** Who calls: a role's session, with the role's ARN as `aws:PrincipalArn`. */
  readonly principal: { readonly roleArn: string; readonly policies: readonly NamedPolicy[] };
  readonly action: string;
  /** A concrete ARN: the evaluator refuses patterns. */
  readonly resource: string;
  /** Context keys besides `aws:PrincipalArn` and `aws:PrincipalAccount`, which are derived from the principal. */
  readonly context?: Readonly<Record<string, string | string[]>>;
  /** The resource's own policy: a key policy, a secret's resource policy. */
  readonly resourcePolicy?: unknown;
}

const ROLE_ARN = /^arn:([^:]+):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/;
/** Context keys that iam-simulate 0.1.173 drops although AWS sets them (see the file comment). */
const DROPPED_BY_THE_SIMULATOR = /^kms:EncryptionContext:/i;

/** The decision AWS would take on `request`. Throws on input the simulator refuses or does not understand. */
export async function decide(request: IamRequest): Promise<Decision> {
  const role = ROLE_ARN.exec(request.principal.roleArn);
  if (!role) throw new Error(`not a role ARN: ${request.principal.roleArn}`);
  const [, partition, account, roleName] = role as unknown as [string, string, string, string];
  const resourceAccount = /^arn:[^:]+:[^:]+:[^:]*:(\d{12}):/.exec(request.resource)?.[1];
  if (!resourceAccount) throw new Error(`no account in resource ARN ${request.resource}`);
  if (request.resource.includes('*') || request.resource.includes('?')) {
    throw new Error(`the evaluator needs a concrete resource, got the pattern ${request.resource}`);
  }
  const simulation = (resourcePolicy: unknown): Simulation => ({
    request: {
      principal: `arn:${partition}:sts::${account}:assumed-role/${roleName}/session`,
      action: request.action,
      resource: { resource: request.resource, accountId: resourceAccount },
      contextVariables: {
        'aws:PrincipalArn': request.principal.roleArn,
        'aws:PrincipalAccount': account,
        ...request.context,
      },
    },
    identityPolicies: request.principal.policies.map(({ name, policy }) => ({ name, policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(resourcePolicy === undefined ? {} : { resourcePolicy }),
  });

  const checked = await runSimulation(simulation(request.resourcePolicy), {});
  if (checked.resultType === 'error') {
    throw new Error(`iam-simulate refused ${request.action} on ${request.resource}: ${JSON.stringify(checked.errors)}`);
  }
  if (checked.resultType !== 'single') {
    throw new Error(`iam-simulate ran ${checked.resultType} simulations for ${request.resource}; expected one`);
  }
  const dropped = checked.result.ignoredContextKeys ?? [];
  const unexpected = dropped.filter((key) => !DROPPED_BY_THE_SIMULATOR.test(key));
  if (unexpected.length > 0) {
    throw new Error(`context keys ${unexpected.join(', ')} do not apply to ${request.action}: misspelt?`);
  }
  // Version 0.1.173's unsafe engine reads the resource policy's name, which only a validated policy carries.
  const validated =
    request.resourcePolicy === undefined
      ? undefined
      : { __validated: true, policyDocument: request.resourcePolicy, metadata: { name: 'resource' }, errors: [] };
  const decision = runUnsafeSimulation(simulation(validated), {});
  if (dropped.length === 0 && decision !== checked.overallResult) {
    throw new Error(
      `iam-simulate's two engines disagree on ${request.action} on ${request.resource}: ${checked.overallResult} and ${decision}`,
    );
  }
  return decision;
}
