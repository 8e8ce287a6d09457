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

/** A key's partition key value as IAM sees it (the string of an S, N or B attribute value). */
function keyValue(key: unknown, partitionKey: string | undefined): string | undefined {
  if (!partitionKey || !isObject(key)) return undefined;
  const value = key[partitionKey];
  if (!isObject(value)) return undefined;
  const scalar = value.S ?? value.N ?? value.B;
  return typeof scalar === 'string' ? scalar : undefined;
}

/** The partition key value a Query's KeyConditionExpression fixes (`#pk = :v` or `pk = :v`). */
function queriedKey(input: Record<string, unknown>, partitionKey: string | undefined): string | undefined {
  const expression = typeof input.KeyConditionExpression === 'string' ? input.KeyConditionExpression : '';
  const names = isObject(input.ExpressionAttributeNames) ? input.ExpressionAttributeNames : {};
  const values = isObject(input.ExpressionAttributeValues) ? input.ExpressionAttributeValues : {};
  for (const m of expression.matchAll(/([#\w.]+)\s*=\s*(:\w+)/g)) {
    const name = m[1]!.startsWith('#') ? names[m[1]!] : m[1];
    if (partitionKey !== undefined && name === partitionKey)
      return keyValue({ [partitionKey]: values[m[2]!] }, partitionKey);
  }
  return undefined;
}

/**
 * `partitionKeyOf` names a table's partition key (for dynamodb:LeadingKeys); without it, or for a
 * table it does not know, the key is absent from the request context.
 */
export function dynamoDbAuthorizer(
  account: Account,
  partitionKeyOf: (table: string) => string | undefined = () => undefined,
): CallAuthorizer {
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
    /** dynamodb:LeadingKeys of the given keys of a table, when its partition key is known. */
    const leading = (table: string | undefined, keys: unknown[]): Record<string, string[]> => {
      const values = keys.map((k) => keyValue(k, table ? partitionKeyOf(table) : undefined));
      return values.length && values.every((v) => v !== undefined)
        ? { 'dynamodb:leadingkeys': values as string[] }
        : {};
    };
    if (target.startsWith('DynamoDBStreams')) {
      const arn = typeof input.StreamArn === 'string' ? input.StreamArn : undefined;
      const m = arn ? /:table\/([^/]+)\/stream\/(.+)$/.exec(arn) : null;
      return [call(operation, m?.[1], { StreamLabel: m?.[2] })];
    }
    switch (operation) {
      case 'BatchGetItem':
      case 'BatchWriteItem':
        return Object.entries(isObject(input.RequestItems) ? input.RequestItems : {}).map(([name, request]) => {
          const table = tableOf(name);
          const keys =
            operation === 'BatchGetItem'
              ? isObject(request) && Array.isArray(request.Keys)
                ? (request.Keys as unknown[])
                : []
              : (Array.isArray(request) ? request : []).map((w: unknown) => {
                  if (!isObject(w)) return undefined;
                  if (isObject(w.PutRequest)) return w.PutRequest.Item;
                  return isObject(w.DeleteRequest) ? w.DeleteRequest.Key : undefined;
                });
          return call(operation, table, {}, leading(table, keys));
        });
      case 'TransactWriteItems':
      case 'TransactGetItems': {
        const items = Array.isArray(input.TransactItems) ? input.TransactItems : [];
        return items.flatMap((item: unknown) =>
          Object.entries(isObject(item) ? item : {}).map(([kind, body]) => {
            const b = isObject(body) ? body : {};
            const table = tableOf(b.TableName);
            return call(TRANSACT_ACTIONS[kind] ?? kind, table, {}, leading(table, [b.Key ?? b.Item]));
          }),
        );
      }
      case 'PutItem': {
        const table = tableOf(input.TableName);
        const attributes = isObject(input.Item) ? Object.keys(input.Item) : [];
        return [call(operation, table, {}, { 'dynamodb:attributes': attributes, ...leading(table, [input.Item]) })];
      }
      default: {
        const table = tableOf(input.TableName);
        const key = operation === 'Query' ? queriedKey(input, table ? partitionKeyOf(table) : undefined) : undefined;
        const context =
          key !== undefined
            ? { 'dynamodb:leadingkeys': [key] }
            : input.Key !== undefined
              ? leading(table, [input.Key])
              : {};
        return [
          call(
            operation,
            table,
            { IndexName: typeof input.IndexName === 'string' ? input.IndexName : undefined },
            Object.keys(context ?? {}).length ? context : undefined,
          ),
        ];
      }
    }
  };
}
