/**
 * Where a published token is read from: `secretsmanager:<secret ARN or name>`, `ssm:<parameter name
 * or ARN>` or `file:<path>` (also `file:///absolute/path`). The construct writes it, the reader and the
 * CLI parse it. No dependency but Node's `url`: the consumer reader ships this file as it is.
 */
import { fileURLToPath } from 'node:url';

/** The environment variable the reader's zero-config functions read; the CDK wiring helpers set it. */
export const TOKEN_SOURCE_ENV = 'TOKEN_SOURCE';

export type ParsedTokenSource =
  | { readonly kind: 'secretsmanager'; readonly secretId: string; readonly region?: string }
  | { readonly kind: 'ssm'; readonly parameterName: string; readonly region?: string }
  | { readonly kind: 'file'; readonly path: string };

/**
 * Parses a token source. Only the first colon separates the kind, since ARNs contain colons. A bad
 * string is never echoed in full in the problem: a misconfigured variable could hold the token itself.
 */
export function parseTokenSource(tokenSource: string): ParsedTokenSource | { readonly problem: string } {
  const colon = tokenSource.indexOf(':');
  const kind = colon < 0 ? undefined : tokenSource.slice(0, colon);
  const id = colon < 0 ? '' : tokenSource.slice(colon + 1).trim();
  if (kind === undefined || !/^[a-z][a-z0-9-]{0,19}$/.test(kind)) {
    return { problem: `tokenSource has no "<kind>:" prefix (got ${tokenSource.length} characters)` };
  }
  if (kind !== 'secretsmanager' && kind !== 'ssm' && kind !== 'file') {
    return { problem: `tokenSource kind "${kind}" is not supported` };
  }
  if (id === '') return { problem: `tokenSource "${kind}:" names no ${kind === 'file' ? 'file' : 'resource'}` };

  if (kind === 'file') {
    if (!tokenSource.startsWith('file://')) return { kind, path: id };
    try {
      return { kind, path: fileURLToPath(tokenSource) };
    } catch {
      return {
        problem: 'tokenSource "file://…" is not a valid file URL (use file:///absolute/path or file:relative/path)',
      };
    }
  }
  // A secret or parameter given by ARN may live in another region than the client's default.
  const region = regionOfArn(id);
  if (kind === 'secretsmanager') return { kind, secretId: id, ...(region && { region }) };
  return { kind, parameterName: id, ...(region && { region }) };
}

/** `arn:<partition>:<service>:<region>:<account>:…` → region; undefined for names. */
function regionOfArn(id: string): string | undefined {
  if (!id.startsWith('arn:')) return undefined;
  const region = id.split(':')[3];
  return region === undefined || region === '' ? undefined : region;
}
