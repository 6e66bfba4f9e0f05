import { describe, expect, it } from 'vitest';
import { Redactor } from '../../../core/redactor.js';
import { decodeText } from '../../../core/text-decoding.js';
import { ENCODINGS, form } from '../../helpers/secret-encodings.js';

const SECRET = `Pw "<>&' 100% é€😀 x+y/z=`;

describe('Redactor', () => {
  it.each(Object.entries(ENCODINGS))('removes a secret echoed as %s', (_name, encode) => {
    const r = new Redactor();
    r.add(SECRET);
    const encoded = encode(SECRET);
    expect(encoded).not.toBe(''); // the encoding is real

    const out = r.redact(`{"error_description":"bad value ${encoded} given"}`);

    expect(out).toContain('[redacted]');
    expect(out).toMatch(/^\{"error_description":"bad value .*given"\}$/);
    for (const form of Object.values(ENCODINGS)) expect(out).not.toContain(form(SECRET));
    expect(out).not.toMatch(/Pw|x\+y|100/);
  });

  it('removes a secret that itself looks encoded, raw and decoded', () => {
    const r = new Redactor();
    const secret = 'ab%41cd&amp;ef\\u0041';
    r.add(secret);

    expect(r.redact(`raw ${secret} .`)).toBe('raw [redacted] .');
    expect(r.redact(`form ${form(secret)} .`)).toBe('form [redacted] .');
  });

  it('keeps text without secrets as it was, entities and escapes included', () => {
    const r = new Redactor();
    r.add(SECRET, 'another-secret-value');
    const text = 'Invalid user credentials: &quot;x&quot; \\u0041 100%25 a+b Basic YWxpY2U6Ym9i';

    expect(r.redact(text)).toBe(text);
  });

  it('keeps the JSON around a redacted value parseable', () => {
    const r = new Redactor();
    r.add(SECRET);

    const out = r.redact(JSON.stringify({ error: 'invalid_grant', error_description: `wrong ${SECRET}` }));

    expect(JSON.parse(out)).toEqual({ error: 'invalid_grant', error_description: 'wrong [redacted]' });
  });

  it('redacts every string of a log field, deeply', () => {
    const r = new Redactor();
    r.add(SECRET);

    expect(r.redactValue({ a: [`x ${form(SECRET)}`], b: { c: SECRET }, n: 1 })).toEqual({
      a: ['x [redacted]'],
      b: { c: '[redacted]' },
      n: 1,
    });
  });

  it('takes linear time on a large pathological text', () => {
    const r = new Redactor();
    r.add(SECRET, 'a'.repeat(40), 'LEAK-refresh-token-c0b8');
    const text = `${'&#'.repeat(50_000)}${'%C3'.repeat(30_000)}${'\\u00'.repeat(30_000)}${'A'.repeat(100_000)}`;

    const started = performance.now();
    r.redact(text);

    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('decodeText', () => {
  it('maps each decoded character to the span it came from', () => {
    const d = decodeText('a&lt;%C3%A9\\u0041', { json: true, percent: true });

    expect(d.text).toBe('a<éA');
    expect(d.start).toEqual([0, 1, 5, 11]);
    expect(d.end).toEqual([1, 5, 11, 17]);
  });

  it('leaves invalid references and broken UTF-8 as they are', () => {
    expect(decodeText('&nosuch; &#0; &#xD800; %FF%41 \\x', { json: true, percent: true }).text).toBe(
      '&nosuch; &#0; &#xD800; %FFA \\x',
    );
  });
});
