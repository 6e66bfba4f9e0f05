import { describe, expect, it } from 'vitest';
import { describeErrorName } from '../../contract/error-name.js';
import { backoffMs, isRetryable } from '../../consumer/retry.js';
import { awsError } from './fakes.js';

describe('Function: isRetryable', () => {
  it.each([
    ['ThrottlingException', awsError('ThrottlingException')],
    ['TooManyRequestsException', awsError('TooManyRequestsException')],
    ['a 429 of any name', awsError('SlowDown', 429)],
    ['a 5xx of any name', awsError('SomethingBroke', 502)],
    ['the client timeout', Object.assign(new Error('timed out'), { name: 'TimeoutError' })],
    ['a connection reset', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['an error the SDK marks retryable', Object.assign(new Error('x'), { $retryable: {} })],
    ['clock skew: InvalidSignatureException', awsError('InvalidSignatureException')],
    ['clock skew: RequestTimeTooSkewed', awsError('RequestTimeTooSkewed', 403)],
    ['clock skew: SignatureDoesNotMatch', awsError('SignatureDoesNotMatch', 403)],
  ])('retries %s', (_, error) => {
    expect(isRetryable(error)).toBe(true);
  });

  it.each([
    ['AccessDeniedException', awsError('AccessDeniedException')],
    ['ValidationException', awsError('ValidationException')],
    ['a file-system error', Object.assign(new Error('no'), { code: 'EACCES' })],
    ['a non-error', 'boom'],
    ['undefined', undefined],
  ])('does not retry %s', (_, error) => {
    expect(isRetryable(error)).toBe(false);
  });
});

describe('Function: backoffMs', () => {
  it('doubles from 100 ms, capped at 2 s, with half of each step random', () => {
    expect([1, 2, 3, 4, 5, 6, 10].map((n) => backoffMs(n, () => 0))).toEqual([50, 100, 200, 400, 800, 1000, 1000]);
    expect([1, 2, 3, 4, 5, 6, 10].map((n) => backoffMs(n, () => 1))).toEqual([100, 200, 400, 800, 1600, 2000, 2000]);
  });
});

describe('Function: describeErrorName', () => {
  it('prefers the AWS name, then the Node.js code', () => {
    expect(describeErrorName(awsError('AccessDeniedException'))).toBe('AccessDeniedException');
    expect(describeErrorName(Object.assign(new Error('x'), { code: 'EISDIR' }))).toBe('EISDIR');
    expect(describeErrorName('boom')).toBe('UnknownError');
  });
});
