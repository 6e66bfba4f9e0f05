/**
 * The providers file's text as JSON. Every reader of the file (the CDK app, `run`, `check`, `plan`)
 * goes through here, so they accept the same bytes and word the same mistakes.
 */

/** The text is not JSON; the message says why and where, without quoting the file. */
class ProvidersJsonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProvidersJsonError';
  }
}

/** UTF-8's byte-order mark, as a decoded string starts with it. */
const BOM = '\uFEFF';

/**
 * Parses the providers file. A leading UTF-8 byte-order mark is skipped: RFC 8259 (section 8.1)
 * lets a parser ignore it, it means nothing in UTF-8, and Windows editors and PowerShell write one
 * without asking, so refusing it would only make people hunt for an invisible character.
 * @throws ProvidersJsonError naming the mistake and its line and column where it can
 */
export function parseProvidersJson(text: string): unknown {
  const body = text.startsWith(BOM) ? text.slice(BOM.length) : text;
  try {
    return JSON.parse(body) as unknown;
  } catch (error) {
    throw new ProvidersJsonError(knownMistake(body) ?? (error as Error).message);
  }
}

/**
 * What people write that JSON does not allow, found by reading the text once outside its strings:
 * UTF-16 (Windows PowerShell's `>` writes it), comments, and a comma before `}` or `]`.
 */
function knownMistake(text: string): string | undefined {
  // A UTF-16 file read as UTF-8: its byte-order mark is not UTF-8, and every ASCII character comes with a NUL.
  if (text.startsWith('\uFFFD\uFFFD') || text.includes('\u0000')) {
    return 'the file is saved as UTF-16 (Windows PowerShell\'s ">" and some editors do that); save it as UTF-8';
  }
  let inString = false;
  let lastComma = -1;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') inString = true;
    else if (char === '/' && (text[i + 1] === '/' || text[i + 1] === '*')) {
      return `${at(text, i)}: "${text.slice(i, i + 2)}" starts a comment, and JSON has no comments: remove it and any others`;
    } else if (char === ',') lastComma = i;
    else if ((char === '}' || char === ']') && lastComma >= 0 && text.slice(lastComma + 1, i).trim() === '') {
      return `${at(text, lastComma)}: a comma before "${char}", which JSON does not allow: remove the comma`;
    }
    if (char !== ',' && !/\s/.test(char ?? '')) lastComma = -1;
  }
  return undefined;
}

/** `line 3, column 7` of the character at `index` (both counted from 1). */
function at(text: string, index: number): string {
  const before = text.slice(0, index);
  const line = before.split('\n').length;
  return `line ${line}, column ${index - before.lastIndexOf('\n')}`;
}
