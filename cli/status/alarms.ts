import { type CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { describeErrorName } from '../../contract/error-name.js';

/** DescribeAlarms takes at most 100 names per call. */
const NAMES_PER_CALL = 100;

export interface AlarmView {
  readonly name: string;
  /** `OK`, `ALARM` or `INSUFFICIENT_DATA`; undefined when it could not be read. */
  readonly state?: string;
  readonly error?: string;
}

export type AlarmStates = { readonly states: ReadonlyMap<string, string> } | { readonly error: string };

/**
 * The state (`OK`, `ALARM`, `INSUFFICIENT_DATA`) of every named alarm that exists. Composite alarms
 * are asked for explicitly: DescribeAlarms returns metric alarms only by default, and the paging
 * alarm may be a composite of the others.
 */
export async function readAlarmStates(client: CloudWatchClient, names: readonly string[]): Promise<AlarmStates> {
  const states = new Map<string, string>();
  try {
    for (let i = 0; i < names.length; i += NAMES_PER_CALL) {
      let nextToken: string | undefined;
      do {
        const page = await client.send(
          new DescribeAlarmsCommand({
            AlarmNames: names.slice(i, i + NAMES_PER_CALL),
            AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
            NextToken: nextToken,
          }),
        );
        for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
          if (alarm.AlarmName && alarm.StateValue) states.set(alarm.AlarmName, alarm.StateValue);
        }
        nextToken = page.NextToken;
      } while (nextToken);
    }
  } catch (error) {
    return { error: describeErrorName(error) };
  }
  return { states };
}
