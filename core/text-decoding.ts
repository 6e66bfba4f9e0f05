/**
 * Undoes the encodings a string travels in when an IdP echoes it back: HTML character references
 * (named, decimal, hex, any case), JSON string escapes and percent or form encoding. The result keeps,
 * for each decoded UTF-16 unit, the span of the original text it came from, so that whatever is found
 * in the decoded text can be cut out of the original. One pass, linear in the text's length.
 */

/**
 * Named character references for every printable ASCII character that has one in HTML5, plus the
 * space-like ones: a credential is ASCII in most cases, and an encoder may use any of these names.
 */
const NAMED: Readonly<Record<string, string>> = {
  quot: '"',
  amp: '&',
  apos: "'",
  lt: '<',
  gt: '>',
  nbsp: '\u00a0',
  excl: '!',
  num: '#',
  dollar: '$',
  percnt: '%',
  lpar: '(',
  rpar: ')',
  ast: '*',
  midast: '*',
  plus: '+',
  comma: ',',
  period: '.',
  sol: '/',
  colon: ':',
  semi: ';',
  equals: '=',
  quest: '?',
  commat: '@',
  lsqb: '[',
  lbrack: '[',
  bsol: '\\',
  rsqb: ']',
  rbrack: ']',
  hat: '^',
  lowbar: '_',
  underbar: '_',
  grave: '`',
  lcub: '{',
  lbrace: '{',
  verbar: '|',
  vert: '|',
  vertbar: '|',
  rcub: '}',
  rbrace: '}',
  tilde: '~',
  hyphen: '-',
  dash: '-',
  newline: '\n',
  tab: '\t',
};

const JSON_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

const ENTITY = /&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|([A-Za-z][A-Za-z0-9]{1,31}));?/y;
const JSON_UNICODE = /\\u([0-9a-fA-F]{4})/y;
const PERCENT = /%([0-9a-fA-F]{2})/y;

export interface DecodeOptions {
  /** JSON string escapes (`\"`, `\u003c`). */
  readonly json: boolean;
  /** Percent escapes, UTF-8 sequences included (`%22`, `%C3%A9`). */
  readonly percent: boolean;
}

export interface DecodedText {
  readonly text: string;
  /** Offset in the original text where the unit that produced `text[i]` starts. */
  readonly start: readonly number[];
  /** Offset in the original text just after that unit. */
  readonly end: readonly number[];
}

function codePointText(cp: number): string | undefined {
  return cp > 0 && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff) ? String.fromCodePoint(cp) : undefined;
}

function entityAt(text: string, i: number): { value: string; length: number } | undefined {
  ENTITY.lastIndex = i;
  const m = ENTITY.exec(text);
  if (!m) return undefined;
  const value =
    m[1] !== undefined
      ? codePointText(Number(m[1]))
      : m[2] !== undefined
        ? codePointText(parseInt(m[2], 16))
        : NAMED[m[3]!.toLowerCase()];
  return value === undefined ? undefined : { value, length: m[0].length };
}

function jsonEscapeAt(text: string, i: number): { value: string; length: number } | undefined {
  const next = text[i + 1];
  if (next === undefined) return undefined;
  if (next === 'u') {
    JSON_UNICODE.lastIndex = i;
    const m = JSON_UNICODE.exec(text);
    return m ? { value: String.fromCharCode(parseInt(m[1]!, 16)), length: 6 } : undefined;
  }
  const value = JSON_ESCAPES[next];
  return value === undefined ? undefined : { value, length: 2 };
}

/** Bytes of the `%XX` run starting at `i`, with the offset each byte starts at. */
function percentRun(text: string, i: number): { bytes: number[]; offsets: number[] } {
  const bytes: number[] = [];
  const offsets: number[] = [];
  for (let at = i; ; at += 3) {
    PERCENT.lastIndex = at;
    const m = PERCENT.exec(text);
    if (!m) return { bytes, offsets };
    bytes.push(parseInt(m[1]!, 16));
    offsets.push(at);
  }
}

/** Length of the valid UTF-8 sequence at `bytes[k]`, or 0. */
function utf8Length(bytes: readonly number[], k: number): number {
  const b = bytes[k]!;
  const n = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
  for (let j = 1; j < n; j++) {
    const c = bytes[k + j];
    if (c === undefined || c < 0x80 || c > 0xbf) return 0;
  }
  return n;
}

export function decodeText(text: string, options: DecodeOptions): DecodedText {
  let out = '';
  const start: number[] = [];
  const end: number[] = [];
  const emit = (value: string, from: number, to: number) => {
    out += value;
    for (let k = 0; k < value.length; k++) {
      start.push(from);
      end.push(to);
    }
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const unit = c === '&' ? entityAt(text, i) : c === '\\' && options.json ? jsonEscapeAt(text, i) : undefined;
    if (unit) {
      emit(unit.value, i, i + unit.length);
      i += unit.length;
      continue;
    }
    if (c === '%' && options.percent) {
      const { bytes, offsets } = percentRun(text, i);
      if (bytes.length > 0) {
        for (let k = 0; k < bytes.length;) {
          const n = utf8Length(bytes, k);
          const from = offsets[k]!;
          if (n === 0) {
            emit(text.slice(from, from + 3), from, from + 3);
            k++;
            continue;
          }
          emit(Buffer.from(bytes.slice(k, k + n)).toString('utf8'), from, offsets[k + n - 1]! + 3);
          k += n;
        }
        i = offsets.at(-1)! + 3;
        continue;
      }
    }
    emit(c, i, i + 1);
    i++;
  }
  return { text: out, start, end };
}

/** HTML character references only: what an error page's text means. */
export function decodeHtmlEntities(text: string): string {
  return decodeText(text, { json: false, percent: false }).text;
}
