import { fileURLToPath } from 'node:url';
import { TokenSourceError } from './errors';

/** Where a reader finds the published token, parsed from a `tokenSource` string. */
export type ParsedTokenSource =
  | { readonly kind: 'secretsmanager'; readonly secretId: string; readonly region?: string }
  | { readonly kind: 'ssm'; readonly parameterName: string; readonly region?: string }
  | { readonly kind: 'file'; readonly path: string };

/**
 * Parses `secretsmanager:<secret ARN or name>`, `ssm:<parameter name or ARN>` or `file:<path>` (also
 * `file:///absolute/path`). Only the first colon separates the kind, since ARNs contain colons.
 *
 * A bad string is never echoed in full: a misconfigured variable could hold the token itself.
 */
export function parseTokenSource(tokenSource: string): ParsedTokenSource {
  const colon = tokenSource.indexOf(':');
  const kind = colon < 0 ? undefined : tokenSource.slice(0, colon);
  const id = colon < 0 ? '' : tokenSource.slice(colon + 1).trim();
  if (kind === undefined || !/^[a-z][a-z0-9-]{0,19}$/.test(kind)) {
    throw new TokenSourceError(`tokenSource has no "<kind>:" prefix (got ${tokenSource.length} characters)`);
  }
  if (kind !== 'secretsmanager' && kind !== 'ssm' && kind !== 'file') {
    throw new TokenSourceError(`tokenSource kind "${kind}" is not supported`);
  }
  if (id === '') throw new TokenSourceError(`tokenSource "${kind}:" names no ${kind === 'file' ? 'file' : 'resource'}`);

  if (kind === 'file') return { kind, path: tokenSource.startsWith('file://') ? filePath(tokenSource) : id };
  // A secret or parameter given by ARN may live in another region than the client's default.
  const region = regionOfArn(id);
  if (kind === 'secretsmanager') return { kind, secretId: id, ...(region && { region }) };
  return { kind, parameterName: id, ...(region && { region }) };
}

function filePath(url: string): string {
  try {
    return fileURLToPath(url);
  } catch {
    throw new TokenSourceError(
      'tokenSource "file://…" is not a valid file URL (use file:///absolute/path or file:relative/path)',
    );
  }
}

/** `arn:<partition>:<service>:<region>:<account>:…` → region; undefined for names. */
function regionOfArn(id: string): string | undefined {
  if (!id.startsWith('arn:')) return undefined;
  const region = id.split(':')[3];
  return region === undefined || region === '' ? undefined : region;
}
