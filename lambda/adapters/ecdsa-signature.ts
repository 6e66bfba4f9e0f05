/**
 * ECDSA signatures in the two forms they travel in: KMS and X.509 give the DER `Ecdsa-Sig-Value`
 * (RFC 3279 section 2.2.3, `SEQUENCE { r INTEGER, s INTEGER }`), a JWS wants `r || s`, each a
 * big-endian unsigned integer left-padded to the curve's size (RFC 7518 section 3.4). DER integers are
 * minimal and signed: a value whose first byte has the high bit set gets a leading 0x00, a small value
 * is shorter than the curve's size. Both must be undone, or about one signature in 256 (a short `r` or
 * `s`) or one in two (a high first byte) fails verification at the IdP.
 */

/** Thrown for bytes that are not one DER `Ecdsa-Sig-Value` whose integers fit `coordinateBytes`. */
export class MalformedEcdsaSignatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedEcdsaSignatureError';
  }
}

/** The largest coordinate this handles, P-521's 66 bytes: a DER signature is then at most 139 bytes. */
const MAX_COORDINATE_BYTES = 66;

/**
 * The JOSE form (`r || s`, `2 * coordinateBytes` bytes) of a DER ECDSA signature.
 * @param coordinateBytes 32, 48 or 66 (P-256, P-384, P-521)
 * @throws MalformedEcdsaSignatureError for anything but one DER signature whose `r` and `s` are
 *   positive and fit `coordinateBytes`
 */
export function derToJoseSignature(der: Uint8Array, coordinateBytes: number): Uint8Array {
  if (!Number.isInteger(coordinateBytes) || coordinateBytes < 1 || coordinateBytes > MAX_COORDINATE_BYTES) {
    throw new RangeError(`coordinateBytes must be 1 to ${MAX_COORDINATE_BYTES}, got ${coordinateBytes}`);
  }
  const reader = new DerReader(der);
  const body = reader.element(0x30, 'SEQUENCE');
  if (!reader.done()) throw new MalformedEcdsaSignatureError(`${der.length - reader.offset} bytes after the SEQUENCE`);
  const inner = new DerReader(body);
  const r = positiveInteger(inner.element(0x02, 'INTEGER r'), 'r');
  const s = positiveInteger(inner.element(0x02, 'INTEGER s'), 's');
  if (!inner.done()) throw new MalformedEcdsaSignatureError('the SEQUENCE holds more than r and s');
  const jose = new Uint8Array(2 * coordinateBytes);
  for (const [value, name, at] of [
    [r, 'r', 0],
    [s, 's', coordinateBytes],
  ] as const) {
    if (value.length > coordinateBytes) {
      throw new MalformedEcdsaSignatureError(
        `${name} is ${value.length} bytes, more than the curve's ${coordinateBytes}: the key's curve is not the one configured`,
      );
    }
    jose.set(value, at + coordinateBytes - value.length);
  }
  return jose;
}

/** The magnitude of a DER INTEGER that must be positive, without its sign byte and leading zeros. */
function positiveInteger(content: Uint8Array, name: string): Uint8Array {
  if (content.length === 0) throw new MalformedEcdsaSignatureError(`${name} is empty`);
  if (content[0]! & 0x80) throw new MalformedEcdsaSignatureError(`${name} is negative`);
  let start = 0;
  while (start < content.length - 1 && content[start] === 0) start += 1;
  if (content[start] === 0) throw new MalformedEcdsaSignatureError(`${name} is zero`);
  return content.subarray(start);
}

/** Reads DER elements of definite length, short or one-byte long form (enough for 139 bytes). */
class DerReader {
  offset = 0;
  constructor(private readonly bytes: Uint8Array) {}

  done(): boolean {
    return this.offset === this.bytes.length;
  }

  element(tag: number, name: string): Uint8Array {
    const { bytes } = this;
    if (bytes[this.offset] !== tag) throw new MalformedEcdsaSignatureError(`expected ${name}`);
    let length = bytes[this.offset + 1];
    let header = 2;
    if (length === 0x81) {
      length = bytes[this.offset + 2];
      header = 3;
      if (length !== undefined && length < 0x80) throw new MalformedEcdsaSignatureError(`${name}: non-minimal length`);
    } else if (length !== undefined && length > 0x80) {
      throw new MalformedEcdsaSignatureError(`${name}: length longer than an ECDSA signature`);
    }
    if (length === undefined || length === 0x80) throw new MalformedEcdsaSignatureError(`${name}: no length`);
    const start = this.offset + header;
    if (start + length > bytes.length) throw new MalformedEcdsaSignatureError(`${name}: truncated`);
    this.offset = start + length;
    return bytes.subarray(start, start + length);
  }
}
