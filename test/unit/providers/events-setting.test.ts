import { describe, expect, it } from 'vitest';
import { parseStackConfig } from '../../../providers/providers-file.js';

const providers = [{ id: 'cv', preset: 'clickview', clientId: 'embed' }];

describe('the providers file\'s "events"', () => {
  it('names the bus and opts into Token Renewed', () => {
    expect(parseStackConfig({ events: { busName: 'ops-bus', tokenRenewed: true }, providers }).events).toEqual({
      busName: 'ops-bus',
      tokenRenewed: true,
    });
    const arn = 'arn:aws:events:eu-west-1:111122223333:event-bus/central';
    expect(parseStackConfig({ events: { busName: arn }, providers }).events).toEqual({ busName: arn });
    expect(parseStackConfig({ providers }).events).toBeUndefined();
  });

  it('a bad bus name fails with the field, the value and what is allowed', () => {
    expect(() => parseStackConfig({ events: { busName: 'bad bus!' }, providers })).toThrow(
      /field "events\.busName": got "bad bus!": must be an event bus name .* or an event bus ARN/,
    );
    expect(() => parseStackConfig({ events: { bus: 'x' }, providers })).toThrow(/events/);
  });
});
