import * as z from 'zod/mini';
import { type PublishedToken, publishedTokenSchema } from '../schema/published-token';
import { TokenMalformedError } from './errors';

/**
 * The refresher's schema with one difference: unknown fields are dropped instead of rejected, so a
 * later refresher that publishes an extra field does not break consumers deployed before it.
 */
const consumerTokenSchema = z.object(publishedTokenSchema.shape);

/**
 * Parses the stored text. Errors name the source and the offending fields, never a value: JSON.parse
 * messages quote the input, so they are neither passed on nor kept as `cause`.
 */
export function parsePublishedToken(tokenSource: string, text: string): PublishedToken {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new TokenMalformedError(tokenSource, 'the value is not JSON');
  }
  const parsed = consumerTokenSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const at = issue.path.length > 0 ? issue.path.join('.') : 'the value';
    return `${at}: ${describeIssue(issue, valueAt(json, issue.path))}`;
  });
  throw new TokenMalformedError(tokenSource, problems.join('; '));
}

/**
 * zod/mini ships no messages ("Invalid input"), so the reader writes its own: what was expected and
 * the JSON type found, never the found value itself.
 */
function describeIssue(issue: z.core.$ZodIssue, found: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected === 'int' ? 'an integer' : issue.expected}, got ${jsonType(found)}`;
    case 'invalid_value':
      return `expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}`;
    case 'too_small':
      return issue.origin === 'string' ? 'expected a non-empty string' : `expected at least ${String(issue.minimum)}`;
    default:
      return issue.code.replaceAll('_', ' ');
  }
}

function valueAt(json: unknown, path: readonly PropertyKey[]): unknown {
  let value = json;
  for (const key of path) value = (value as Record<PropertyKey, unknown> | null | undefined)?.[key];
  return value;
}

function jsonType(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' && !Number.isInteger(value)) return 'a fraction';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
