import { Stack } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { DETAIL_TYPE, EVENT_SOURCE, type EventsRuntime } from '../../contract/events.js';
import { DEFAULT_STAGE } from '../../contract/naming.js';

/** Where a refresher puts its lifecycle events (docs/events.md). */
export interface RefresherEventsProps {
  /**
   * The bus the events go to.
   * @default - the account's default event bus in the stack's region
   */
  readonly bus?: events.IEventBus;
  /**
   * Also put a `Token Renewed` event on every renewal, not only on transitions. Costs $1 per million
   * renewals; a provider renewing every 5 minutes puts 8,640 a month.
   * @default false
   */
  readonly tokenRenewed?: boolean;
}

/**
 * What the function is told about events, and the one statement that lets it put them: PutEvents on
 * that bus only, with this project's `source` and one of its detail-types, so the role cannot be
 * used to forge another application's events on a shared bus.
 */
export function refresherEvents(
  scope: Construct,
  props: RefresherEventsProps | undefined,
  stage: string | undefined,
): { readonly runtime: EventsRuntime; readonly statement: iam.PolicyStatement } {
  const busArn =
    props?.bus?.eventBusArn ??
    Stack.of(scope).formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' });
  const statement = new iam.PolicyStatement({
    actions: ['events:PutEvents'],
    resources: [busArn],
    // Both keys hold one value per entry of the request: every entry must match, and a request
    // without them (no entries) matches nothing.
    conditions: {
      'ForAllValues:StringEquals': {
        'events:source': [EVENT_SOURCE],
        'events:detail-type': Object.values(DETAIL_TYPE),
      },
      Null: { 'events:source': 'false', 'events:detail-type': 'false' },
    },
  });
  return {
    // An ARN addresses a bus of another account as well as one of this account.
    runtime: {
      busName: props?.bus ? busArn : 'default',
      stage: stage ?? DEFAULT_STAGE,
      tokenRenewed: !!props?.tokenRenewed,
    },
    statement,
  };
}
