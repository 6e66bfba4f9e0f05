import type { EndpointTarget } from '../contract/loopback.js';
import { constructIdProblems } from '../contract/naming.js';
import { describeIssue, show, where } from './file-problems.js';
import { ENTRY_SCHEMAS, fileShapeSchema } from './provider-entry.js';
import { type ResolvedProvider, resolveProvider } from './resolve-provider.js';

// The parser's result type, named where parseProvidersFile is imported from.
export type { ResolvedProvider } from './resolve-provider.js';

/**
 * How a providers file is read: for a deployment to AWS (`cdk synth`, `plan`, the constructs) or for
 * this machine (`token-refresher run`, the demo, `check`), where a loopback token endpoint may be
 * plain http.
 * @default { target: 'aws' }
 */
export interface ParseOptions {
  readonly target?: EndpointTarget;
}

/** Every problem found in a providers file, each naming provider, field, value and what is allowed. */
export class ProvidersFileError extends Error {
  readonly problems: readonly string[];
  constructor(source: string, problems: readonly string[]) {
    const n = problems.length;
    super(`${source}: ${n} problem${n === 1 ? '' : 's'}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ProvidersFileError';
    this.problems = problems;
  }
}

/** Everything the stack needs from the providers file. */
export interface StackConfig {
  readonly providers: ResolvedProvider[];
  readonly alarmEmails: readonly string[];
  /** Absent: the runbook this project ships. */
  readonly runbookUrl?: string;
  /** Where lifecycle events go; absent: the default bus, no event per renewal. */
  readonly events?: { readonly busName?: string; readonly tokenRenewed?: boolean };
}

/**
 * Validates a parsed providers file and resolves every provider.
 * @throws ProvidersFileError listing every problem found
 */
export function parseProvidersFile(
  raw: unknown,
  source = 'providers file',
  options: ParseOptions = {},
): ResolvedProvider[] {
  return parseStackConfig(raw, source, options).providers;
}

/**
 * The providers and the stack-wide settings (alarm e-mails) of a providers file.
 * @throws ProvidersFileError listing every problem found
 */
export function parseStackConfig(raw: unknown, source = 'providers file', options: ParseOptions = {}): StackConfig {
  const entrySchema = ENTRY_SCHEMAS[options.target ?? 'aws'];
  if (Array.isArray(raw)) {
    throw new ProvidersFileError(source, [
      'the file: got a list: wrap it in an object, {"providers": [ ...your entries... ]}; the object also ' +
        'holds "alarmEmails" and "$schema"',
    ]);
  }
  const shape = fileShapeSchema.safeParse(raw, { reportInput: true });
  if (!shape.success)
    throw new ProvidersFileError(
      source,
      shape.error.issues.flatMap((i) => describeIssue(raw, i)),
    );

  const problems: string[] = [];
  const resolved: ResolvedProvider[] = [];
  const seen = new Map<string, number>();
  shape.data.providers.forEach((candidate, index) => {
    const parsed = entrySchema.safeParse(candidate, { reportInput: true });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        problems.push(...describeIssue(raw, { ...issue, path: ['providers', index, ...issue.path] }));
      }
      return;
    }
    const entry = parsed.data;
    const subject = where(entry, index);
    const first = seen.get(entry.id);
    if (first !== undefined) {
      problems.push(
        `${subject}, field "id": got ${show(entry.id)}: ids must be unique; providers[${first}] already uses it`,
      );
      return;
    }
    seen.set(entry.id, index);
    const result = resolveProvider(entry, subject);
    if (result.ok) resolved.push(result.value);
    else problems.push(...result.error);
  });
  problems.push(...sharedCredentialsProblems(resolved), ...constructIdProblems(resolved.map((p) => p.settings.id)));
  if (problems.length > 0) throw new ProvidersFileError(source, problems);
  return {
    providers: resolved,
    alarmEmails: shape.data.alarmEmails ?? [],
    ...(shape.data.runbookUrl === undefined ? {} : { runbookUrl: shape.data.runbookUrl }),
    ...(shape.data.events === undefined ? {} : { events: shape.data.events }),
  };
}

/**
 * Each provider needs a credentials secret of its own: the lockout guard keys on the secret's
 * version per provider, so two refreshers sharing one would keep independent guards and could send
 * the same password in parallel.
 */
function sharedCredentialsProblems(providers: readonly ResolvedProvider[]): string[] {
  const first = new Map<string, string>();
  const problems: string[] = [];
  for (const { settings, credentials } of providers) {
    const secret = credentials?.secretArn ?? credentials?.secretName;
    if (secret === undefined) continue;
    const other = first.get(secret);
    if (other === undefined) first.set(secret, settings.id);
    else {
      problems.push(
        `provider "${settings.id}", field "credentials": got ${show(secret)}: provider "${other}" already uses this secret; ` +
          'give each provider its own credentials secret (their lockout guards and logins must not overlap)',
      );
    }
  }
  return problems;
}
