// dynamodb:LeadingKeys for a table created through the API (CreateTable): the cloud learns its
// key schema from the answer, so a role limited to its own partition keys is held to them.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { startLocalCloud, type LocalCloud } from '../../src/index.js';
import type { Credentials } from '../../src/iam/iam.js';

let cloud: LocalCloud;
let tenant: Credentials;
const TABLE = 'ApiMadeCups';
const TABLE_ARN = `arn:aws:dynamodb:us-east-1:000000000000:table/${TABLE}`;
const client = (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) =>
  new DynamoDBClient({ endpoint: cloud.url, region: 'us-east-1', credentials, maxAttempts: 1 });
const admin = () => client({ accessKeyId: 'presso', secretAccessKey: 'presso' });
const put = (as: DynamoDBClient, pk: string) =>
  as.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: pk }, cups: { N: '1' } } }));

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, log: () => {} });
  tenant = cloud.iam.putRole({
    roleName: 'tenant-1',
    sessionName: 'tenant-1',
    stack: 'test',
    policies: [
      {
        name: 'OwnPartition',
        document: {
          Statement: [
            {
              Effect: 'Allow',
              Action: ['dynamodb:PutItem', 'dynamodb:GetItem'],
              Resource: TABLE_ARN,
              Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['tenant-1'] } },
            },
          ],
        },
      },
    ],
  });
  await admin().send(
    new CreateTableCommand({
      TableName: TABLE,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}, 120_000);

afterAll(async () => {
  await cloud?.close();
});

describe('dynamodb:LeadingKeys on a table created with CreateTable', () => {
  it("allows a role its own partition key and refuses another's, naming the table", async () => {
    const role = client(tenant);
    await put(role, 'tenant-1');
    await expect(
      role.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: 'tenant-1' } } })),
    ).resolves.toMatchObject({ Item: { pk: { S: 'tenant-1' } } });
    await expect(put(role, 'tenant-2')).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: `User: arn:aws:sts::000000000000:assumed-role/tenant-1/tenant-1 is not authorized to perform: dynamodb:PutItem on resource: ${TABLE_ARN} because no identity-based policy allows the dynamodb:PutItem action`,
    });
  });

  it('forgets the key schema once DeleteTable removed the table', async () => {
    await admin().send(new DeleteTableCommand({ TableName: TABLE }));
    // The table is gone: the refusal is DynamoDB's, not IAM's (the key is no longer known to IAM).
    await expect(put(client(tenant), 'tenant-2')).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});
