/**
 * Where a published token is read from: `secretsmanager:<secret ARN or name>`, `ssm:<parameter name
 * or ARN>` or `file:<path>` (also `file:///absolute/path`). The construct writes it, the reader and the
 * CLI parse it. No dependency but Node's `url` and base/: the consumer reader ships this file as it is.
 */
import { fileURLToPath } from 'node:url';
import { err, ok, type Result } from '../base/result.js';

/** The environment variable the reader's zero-config functions read; the CDK wiring helpers set it. */
export const TOKEN_SOURCE_ENV = 'TOKEN_SOURCE';

export type ParsedTokenSource =
  | { readonly kind: 'secretsmanager'; readonly secretId: string; readonly region?: string }
  | { readonly kind: 'ssm'; readonly parameterName: string; readonly region?: string }
  | { readonly kind: 'file'; readonly path: string };

/**
 * Parses a token source, or says what is wrong with it. Only the first colon separates the kind,
 * since ARNs contain colons. A bad string is never echoed in full in the problem: a misconfigured
 * variable could hold the token itself.
 */
export function parseTokenSource(tokenSource: string): Result<ParsedTokenSource, string> {
  const colon = tokenSource.indexOf(':');
  const kind = colon < 0 ? undefined : tokenSource.slice(0, colon);
  const id = colon < 0 ? '' : tokenSource.slice(colon + 1).trim();
  if (kind === undefined || !/^[a-z][a-z0-9-]{0,19}$/i.test(kind)) {
    return err(`tokenSource has no "<kind>:" prefix (got ${tokenSource.length} characters)`);
  }
  if (!isKind(kind)) {
    // Kinds are lowercase, as the construct writes them; `SSM:` is a typo to name, not a missing prefix.
    const lower = kind.toLowerCase();
    if (isKind(lower)) return err(`tokenSource kind "${kind}" must be lowercase: write "${lower}:"`);
    return err(`tokenSource kind "${kind}" is not supported`);
  }
  if (id === '') return err(`tokenSource "${kind}:" names no ${kind === 'file' ? 'file' : 'resource'}`);

  if (kind === 'file') {
    if (!tokenSource.startsWith('file://')) return ok({ kind, path: id });
    try {
      return ok({ kind, path: fileURLToPath(tokenSource) });
    } catch {
      return err('tokenSource "file://…" is not a valid file URL (use file:///absolute/path or file:relative/path)');
    }
  }
  // A secret or parameter given by ARN may live in another region than the client's default.
  const region = regionOfArn(id);
  if (kind === 'secretsmanager') return ok({ kind, secretId: id, ...(region && { region }) });
  return ok({ kind, parameterName: id, ...(region && { region }) });
}

const KINDS: readonly string[] = ['secretsmanager', 'ssm', 'file'] satisfies ParsedTokenSource['kind'][];

function isKind(kind: string): kind is ParsedTokenSource['kind'] {
  return KINDS.includes(kind);
}

/** `arn:<partition>:<service>:<region>:<account>:…` → region; undefined for names. */
function regionOfArn(id: string): string | undefined {
  if (!id.startsWith('arn:')) return undefined;
  const region = id.split(':')[3];
  return region === undefined || region === '' ? undefined : region;
}
