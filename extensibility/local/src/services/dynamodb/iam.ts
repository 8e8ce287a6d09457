// The IAM calls of a DynamoDB or DynamoDB Streams request: one per table a batch or transaction
// touches, each item's own action for transactions (as DynamoDB authorizes them).
import type { Account } from '../../arn.js';
import { callFor } from '../../iam/calls.js';
import type { CallAuthorizer, IamCall } from '../../iam/iam.js';
import { isObject } from '../../json.js';

const TRANSACT_ACTIONS: Record<string, string> = {
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
  Get: 'GetItem',
};

const tableOf = (value: unknown): string | undefined => {
  if (typeof value !== 'string') return undefined;
  // A table may be given by its ARN.
  const m = /:table\/([^/]+)/.exec(value);
  return m ? m[1] : value;
};

export function dynamoDbAuthorizer(account: Account): CallAuthorizer {
  return (request) => {
    const target = String(request.headers['x-amz-target'] ?? '');
    const operation = target.slice(target.lastIndexOf('.') + 1);
    let input: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(request.body.toString('utf8') || '{}');
      if (isObject(parsed)) input = parsed;
    } catch {
      // DynamoDB answers the malformed body itself; the call is checked on every resource.
    }
    const call = (
      op: string,
      table: string | undefined,
      extra: Record<string, string | undefined> = {},
      context?: IamCall['context'],
    ) => callFor(account, 'dynamodb', op, { TableName: table, ...extra }, context);
    if (target.startsWith('DynamoDBStreams')) {
      const arn = typeof input.StreamArn === 'string' ? input.StreamArn : undefined;
      const m = arn ? /:table\/([^/]+)\/stream\/(.+)$/.exec(arn) : null;
      return [call(operation, m?.[1], { StreamLabel: m?.[2] })];
    }
    switch (operation) {
      case 'BatchGetItem':
      case 'BatchWriteItem':
        return Object.keys(isObject(input.RequestItems) ? input.RequestItems : {}).map((t) =>
          call(operation, tableOf(t)),
        );
      case 'TransactWriteItems':
      case 'TransactGetItems': {
        const items = Array.isArray(input.TransactItems) ? input.TransactItems : [];
        return items.flatMap((item: unknown) =>
          Object.entries(isObject(item) ? item : {}).map(([kind, body]) =>
            call(TRANSACT_ACTIONS[kind] ?? kind, tableOf(isObject(body) ? body.TableName : undefined)),
          ),
        );
      }
      case 'PutItem': {
        const attributes = isObject(input.Item) ? Object.keys(input.Item) : [];
        return [call(operation, tableOf(input.TableName), {}, { 'dynamodb:attributes': attributes })];
      }
      default:
        return [
          call(operation, tableOf(input.TableName), {
            IndexName: typeof input.IndexName === 'string' ? input.IndexName : undefined,
          }),
        ];
    }
  };
}
