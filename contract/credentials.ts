/**
 * The shape of a provider's credentials, wherever they come from (the credentials secret, a local
 * credentials file or variable): a JSON object of strings, e.g. {"username": "...", "password": "..."}
 * or {"client_secret": "..."}.
 */

/** The values, or what is wrong with them in words that name `what` and never echo a value. */
export function credentialsValues(json: unknown, what: string): Record<string, string> | string {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    return `${what} must be a JSON object of strings`;
  const notString = Object.entries(json).find(([, v]) => typeof v !== 'string');
  return notString ? `${what}: key "${notString[0]}" must be a string` : (json as Record<string, string>);
}
