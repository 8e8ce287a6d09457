// The Iam service without a cloud: modes, the report, SAM policy templates expanded as SAM does,
// calls named from the service authorization reference, and SigV4 as the SDK's own signer signs.
import { describe, expect, it } from '@jest/globals';
import { SignatureV4 } from '@smithy/signature-v4';
import { AwsError } from '../../src/edge/errors.js';
import type { EdgeRequest } from '../../src/edge/types.js';
import { callFor } from '../../src/iam/calls.js';
import { Iam, InvalidPolicyError } from '../../src/iam/iam.js';
import { expandSamPolicy } from '../../src/iam/sam/expand.js';
import { Sha256 } from '../../src/iam/sigv4.js';
import { dynamoDbAuthorizer } from '../../src/services/dynamodb/iam.js';

const ACCOUNT = { region: 'us-east-1', accountId: '123456789012' };
const TABLE = 'arn:aws:dynamodb:us-east-1:123456789012:table/Orders';

function iamWithRole(mode: 'enforce' | 'audit' | 'off', log: (l: string) => void = () => {}) {
  const iam = new Iam(ACCOUNT, { mode, log });
  const credentials = iam.putRole({
    roleName: 'app-FnRole-X',
    sessionName: 'app-Fn',
    stack: 'app',
    logicalId: 'Fn',
    policies: [
      { name: 'P', document: { Statement: [{ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: TABLE }] } },
    ],
  });
  iam.registerAuthorizer('dynamodb', dynamoDbAuthorizer(ACCOUNT));
  return { iam, credentials, caller: iam.callerForRole('app-FnRole-X')! };
}

const dynamoRequest = (operation: string, body: unknown): EdgeRequest => ({
  method: 'POST',
  path: '/',
  query: new URLSearchParams(),
  headers: { 'x-amz-target': `DynamoDB_20120810.${operation}` },
  body: Buffer.from(JSON.stringify(body)),
});

describe('modes', () => {
  it('enforce refuses a call no policy allows with AccessDeniedException', () => {
    const { iam, caller } = iamWithRole('enforce');
    expect(() =>
      iam.authorizeRequest(caller, 'dynamodb', dynamoRequest('PutItem', { TableName: 'Orders', Item: {} })),
    ).toThrow(AwsError);
    expect(() =>
      iam.authorizeRequest(caller, 'dynamodb', dynamoRequest('GetItem', { TableName: 'Orders' })),
    ).not.toThrow();
  });

  it('audit answers it, logs it and records it as not enforced', () => {
    const lines: string[] = [];
    const { iam, caller } = iamWithRole('audit', (l) => lines.push(l));
    iam.authorizeRequest(caller, 'dynamodb', dynamoRequest('DeleteItem', { TableName: 'Orders' }));
    expect(lines).toEqual([
      expect.stringMatching(
        /^\[iam\] audit: would deny: User: .* dynamodb:DeleteItem on resource: arn:aws:dynamodb:us-east-1:123456789012:table\/Orders/,
      ),
    ]);
    expect(iam.report('app-FnRole-X')[0]!.denied).toEqual([
      expect.objectContaining({ action: 'dynamodb:DeleteItem', enforced: false }),
    ]);
  });

  it('off checks no signature at all', async () => {
    const { iam } = iamWithRole('off');
    const request = {
      ...dynamoRequest('GetItem', {}),
      headers: {
        authorization:
          'AWS4-HMAC-SHA256 Credential=ASIAPRESSOAAAAAAAAAA/20250101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00',
      },
    };
    await expect(iam.caller(request)).resolves.toBeUndefined();
  });
});

describe('the report', () => {
  it('lists used actions, grants never used and denials per role', () => {
    const iam = new Iam(ACCOUNT);
    iam.putRole({
      roleName: 'r',
      sessionName: 's',
      stack: 'st',
      policies: [
        {
          name: 'P',
          document: {
            Statement: [
              { Sid: 'Read', Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: TABLE },
              { Sid: 'Write', Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: TABLE },
            ],
          },
        },
      ],
    });
    const caller = iam.callerForRole('r')!;
    iam.decide(caller, { action: 'dynamodb:GetItem', resource: TABLE });
    iam.decide(caller, { action: 'dynamodb:GetItem', resource: TABLE });
    iam.decide(caller, { action: 'dynamodb:Scan', resource: TABLE });
    const [report] = iam.report('r');
    expect(report!.used).toEqual([{ action: 'dynamodb:GetItem', resource: TABLE, count: 2 }]);
    expect(report!.unusedGrants.map((g) => g.statement)).toEqual(['P Write']);
    expect(report!.denied.map((d) => d.action)).toEqual(['dynamodb:Scan']);
  });
});

describe('policies from templates', () => {
  it("expands a SAM policy template as SAM does, from SAM's policy_templates.json", () => {
    const { document } = expandSamPolicy(
      { kind: 'template', template: 'DynamoDBCrudPolicy', parameters: { TableName: 'Orders' } },
      ACCOUNT,
      'Resources.Fn.Properties.Policies[0]',
    );
    expect(document.Statement).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Action: expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:ConditionCheckItem']),
        Resource: [TABLE, `${TABLE}/index/*`],
      }),
    ]);
  });

  it('refuses a policy template that does not exist, or a missing parameter, naming it', () => {
    expect(() => expandSamPolicy({ kind: 'template', template: 'DynamoDBCrud', parameters: {} }, ACCOUNT, 'X')).toThrow(
      /X: DynamoDBCrud is not a SAM policy template/,
    );
    expect(() =>
      expandSamPolicy({ kind: 'template', template: 'DynamoDBCrudPolicy', parameters: {} }, ACCOUNT, 'X'),
    ).toThrow(/X.DynamoDBCrudPolicy: parameter TableName is required/);
  });

  it.each([
    [{ Effect: 'Allow', Action: 'dynamodb:PutItems', Resource: '*' }, /dynamodb has no action PutItems/],
    [{ Effect: 'Allow', Action: 'dynamo:PutItem', Resource: '*' }, /dynamo is not a service prefix/],
    [
      { Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: 'arn:aws:dynamodb:us-east-1:1:tabel/X' },
      /is not the ARN of any dynamodb resource type/,
    ],
    [{ Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: 'Orders' }, /Orders is not an ARN/],
  ])('refuses %j', (statement, message) => {
    const iam = new Iam(ACCOUNT);
    expect(() => iam.compile([{ name: 'P', document: { Statement: [statement] } }])).toThrow(InvalidPolicyError);
    expect(() => iam.compile([{ name: 'P', document: { Statement: [statement] } }])).toThrow(message);
  });
});

describe('calls from the service authorization reference', () => {
  it('names the action and the resource of the type the request fills best', () => {
    expect(callFor(ACCOUNT, 'dynamodb', 'Query', { TableName: 'Orders', IndexName: 'byDate' })).toEqual({
      action: 'dynamodb:Query',
      resource: `${TABLE}/index/byDate`,
    });
    expect(callFor(ACCOUNT, 'dynamodb', 'Query', { TableName: 'Orders' }).resource).toBe(TABLE);
    expect(callFor(ACCOUNT, 'states', 'SendTaskSuccess', {}).resource).toBe('*');
  });

  it('fills dynamodb:LeadingKeys from the key, the item or the query, given the partition key', () => {
    const authorize = dynamoDbAuthorizer(ACCOUNT, (table) => (table === 'Orders' ? 'pk' : undefined));
    const leading = (operation: string, body: unknown) =>
      authorize(dynamoRequest(operation, body))?.map((c) => c.context?.['dynamodb:leadingkeys']);
    expect(leading('GetItem', { TableName: 'Orders', Key: { pk: { S: 'user-1' }, sk: { S: 'a' } } })).toEqual([
      ['user-1'],
    ]);
    expect(leading('PutItem', { TableName: 'Orders', Item: { pk: { N: '7' } } })).toEqual([['7']]);
    expect(
      leading('Query', {
        TableName: 'Orders',
        KeyConditionExpression: '#p = :v AND sk > :s',
        ExpressionAttributeNames: { '#p': 'pk' },
        ExpressionAttributeValues: { ':v': { S: 'user-2' }, ':s': { S: 'a' } },
      }),
    ).toEqual([['user-2']]);
    expect(
      leading('BatchWriteItem', {
        RequestItems: {
          Orders: [{ PutRequest: { Item: { pk: { S: 'a' } } } }, { DeleteRequest: { Key: { pk: { S: 'b' } } } }],
        },
      }),
    ).toEqual([['a', 'b']]);
    expect(leading('GetItem', { TableName: 'Other', Key: { id: { S: 'x' } } })).toEqual([undefined]);
  });

  it("authorizes a transaction's items each with its own action", () => {
    const calls = dynamoDbAuthorizer(ACCOUNT)(
      dynamoRequest('TransactWriteItems', {
        TransactItems: [{ Put: { TableName: 'Orders' } }, { ConditionCheck: { TableName: 'Stock' } }],
      }),
    );
    expect(calls?.map((c) => `${c.action} ${c.resource}`)).toEqual([
      `dynamodb:PutItem ${TABLE}`,
      'dynamodb:ConditionCheckItem arn:aws:dynamodb:us-east-1:123456789012:table/Stock',
    ]);
  });
});

describe('SigV4', () => {
  async function signed(
    secret: string,
    credentials: { accessKeyId: string; sessionToken: string },
  ): Promise<EdgeRequest> {
    const body = JSON.stringify({ TableName: 'Orders' });
    const signer = new SignatureV4({
      service: 'dynamodb',
      region: 'us-east-1',
      credentials: { ...credentials, secretAccessKey: secret },
      sha256: Sha256,
    });
    const request = await signer.sign({
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 4566,
      path: '/',
      query: {},
      headers: {
        host: '127.0.0.1:4566',
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.GetItem',
      },
      body,
    });
    const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
    return { method: 'POST', path: '/', query: new URLSearchParams(), headers, body: Buffer.from(body) };
  }

  it('knows the role of a request signed with its secret', async () => {
    const { iam, credentials } = iamWithRole('enforce');
    const caller = await iam.caller(await signed(credentials.secretAccessKey, credentials));
    expect(caller).toEqual({
      kind: 'role',
      roleArn: 'arn:aws:iam::123456789012:role/app-FnRole-X',
      sessionArn: 'arn:aws:sts::123456789012:assumed-role/app-FnRole-X/app-Fn',
    });
  });

  it('refuses a signature made with another secret', async () => {
    const { iam, credentials } = iamWithRole('enforce');
    await expect(iam.caller(await signed('wrong', credentials))).rejects.toMatchObject({
      code: 'InvalidSignatureException',
    });
  });

  it('refuses a tampered body', async () => {
    const { iam, credentials } = iamWithRole('enforce');
    const request = await signed(credentials.secretAccessKey, credentials);
    await expect(iam.caller({ ...request, body: Buffer.from('{"TableName":"Other"}') })).rejects.toMatchObject({
      code: 'InvalidSignatureException',
    });
  });

  it('lets any key it did not issue through as the administrator', async () => {
    const { iam } = iamWithRole('enforce');
    await expect(
      iam.caller(await signed('x', { accessKeyId: 'AKIAEXAMPLE', sessionToken: 't' })),
    ).resolves.toBeUndefined();
  });
});
