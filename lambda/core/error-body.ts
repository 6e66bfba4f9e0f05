import { decodeHtmlEntities } from './text-decoding';

/**
 * Reads an error answer whatever its format. Token endpoints send OAuth JSON, Spring Boot error JSON,
 * Spring's XML (`<oauth><error>…`), HTML pages from session limiters and WAFs, or nothing at all;
 * none of that may crash the classifier.
 */
export interface ErrorBody {
  readonly format: 'json' | 'xml' | 'html' | 'text' | 'empty';
  readonly error?: string;
  readonly description?: string;
}

const MAX_TEXT = 200;

function squash(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_TEXT ? `${flat.slice(0, MAX_TEXT - 3)}...` : flat;
}

function xmlField(body: string, tag: string): string | undefined {
  const match = new RegExp(`<${tag}>([^<]*)</${tag}>`, 'i').exec(body);
  return match?.[1] === undefined ? undefined : squash(decodeHtmlEntities(match[1]));
}

function stringField(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? squash(value) : undefined;
}

export function parseErrorBody(body: string): ErrorBody {
  const trimmed = body.trim();
  if (trimmed === '') return { format: 'empty' };
  if (trimmed.startsWith('{')) {
    try {
      const json = JSON.parse(trimmed) as Record<string, unknown>;
      const error = stringField(json.error);
      // Spring Boot's error page puts the reason in `message`.
      const description = stringField(json.error_description) ?? stringField(json.message);
      return { format: 'json', ...(error ? { error } : {}), ...(description ? { description } : {}) };
    } catch {
      return { format: 'text', description: squash(trimmed) };
    }
  }
  if (/<html|<!doctype html/i.test(trimmed)) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(trimmed)?.[1];
    const text = title ?? trimmed.replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>|<[^>]+>/gi, ' ');
    return { format: 'html', description: squash(decodeHtmlEntities(text)) };
  }
  if (trimmed.startsWith('<')) {
    const error = xmlField(trimmed, 'error');
    const description = xmlField(trimmed, 'error_description');
    return { format: 'xml', ...(error ? { error } : {}), ...(description ? { description } : {}) };
  }
  return { format: 'text', description: squash(trimmed) };
}
