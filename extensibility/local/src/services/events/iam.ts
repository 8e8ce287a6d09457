// The IAM calls of an EventBridge request: PutEvents is authorized per entry on its bus, with the
// entry's source and detail-type as condition keys; other operations on their bus or rule.
// As AWS does, an entry whose source or detail-type the caller may not put fails alone
// (NotAuthorizedForSourceException, NotAuthorizedForDetailTypeException, in the response's
// Entries); the request fails with AccessDeniedException only when the caller may not put
// events on the bus at all.
import { nameFromNameOrArn, type Account } from '../../arn.js';
import { callFor } from '../../iam/calls.js';
import type { CallAuthorizer, EntryConditionKey } from '../../iam/iam.js';
import { isObject } from '../../json.js';

/** PutEvents' per-entry condition keys, in the order AWS reports them, with each one's entry error code. */
export const PUT_EVENTS_ENTRY_KEYS: readonly EntryConditionKey[] = [
  { key: 'events:source', code: 'NotAuthorizedForSourceException' },
  { key: 'events:detail-type', code: 'NotAuthorizedForDetailTypeException' },
];

const busName = (value: unknown) => (typeof value === 'string' ? nameFromNameOrArn(value, '/') : 'default');

export function eventsAuthorizer(account: Account): CallAuthorizer {
  return (_request, operation = '', input = {}) => {
    if (operation === 'PutEvents') {
      const entries = Array.isArray(input.Entries) ? input.Entries : [];
      return entries.map((entry: unknown, index: number) => {
        const e = isObject(entry) ? entry : {};
        const call = callFor(
          account,
          'events',
          operation,
          { EventBusName: busName(e.EventBusName) },
          {
            ...(typeof e.Source === 'string' ? { 'events:source': e.Source } : {}),
            ...(typeof e.DetailType === 'string' ? { 'events:detail-type': e.DetailType } : {}),
            'events:eventbusinvocation': false,
          },
        );
        return { ...call, entry: { index, keys: PUT_EVENTS_ENTRY_KEYS } };
      });
    }
    const isBusOperation = /EventBus/.test(operation);
    const name = typeof input.Name === 'string' ? input.Name : undefined;
    const bus = busName(isBusOperation ? (input.Name ?? input.EventBusName) : input.EventBusName);
    const rule = isBusOperation ? undefined : (name ?? (typeof input.Rule === 'string' ? input.Rule : undefined));
    // A rule on the default bus has no bus in its ARN.
    return [
      callFor(account, 'events', operation, {
        EventBusName: bus === 'default' && rule ? undefined : bus,
        RuleName: rule,
      }),
    ];
  };
}
