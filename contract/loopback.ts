/** Hosts on which a plain-http token endpoint is acceptable (local work and tests). */
export const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);

export function isLoopbackUrl(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname);
}

const ENDPOINT_RULE =
  'must be an https:// URL without user info (http:// is allowed only on localhost, 127.0.0.1 and [::1])';

/**
 * Why `value` cannot be a token endpoint (or a base URL it is built from), or undefined when it can.
 * A query string is refused because the URL is written into the CloudFormation template and the
 * function's environment: parameters belong in the request body ("extraParams"), secrets in the
 * credentials secret.
 */
export function tokenEndpointProblem(value: string): string | undefined {
  if (value !== value.trim()) return 'has white space around it: remove it';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return ENDPOINT_RULE;
  }
  if (url.username || url.password) return ENDPOINT_RULE;
  if (!(url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackUrl(url)))) return ENDPOINT_RULE;
  if (url.search !== '' || value.includes('?')) {
    return 'must not have a query string: it would be written into the template and the environment; put parameters in "extraParams" and secrets in the credentials secret';
  }
  if (url.hash !== '' || value.includes('#')) return 'must not have a fragment ("#...")';
  return undefined;
}
