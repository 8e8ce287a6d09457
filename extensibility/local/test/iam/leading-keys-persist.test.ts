// dynamodb:LeadingKeys for a table made through the API (CreateTable) holds after a restart with a
// data directory: DynamoDB Local keeps the table there, and the local cloud keeps its partition key,
// so a role limited to its own partition keys is held to them from the first request on. A key that
// cannot be written (a full disk) refuses CreateTable.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from '@jest/globals';
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { startLocalCloud, type LocalCloud } from '../../src/index.js';

const dataDir = mkdtempSync(join(tmpdir(), 'presso-leading-keys-'));
const clouds: LocalCloud[] = [];
const clients: DynamoDBClient[] = [];
const TABLE = 'ApiMadeCups';
const TABLE_ARN = `arn:aws:dynamodb:us-east-1:000000000000:table/${TABLE}`;

afterAll(async () => {
  clients.forEach((c) => c.destroy());
  for (const cloud of clouds) await cloud.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function start() {
  const cloud = await startLocalCloud({ port: 0, dataDir, log: () => {} });
  clouds.push(cloud);
  const tenant = cloud.iam.putRole({
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
              Action: ['dynamodb:PutItem'],
              Resource: TABLE_ARN,
              Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['tenant-1'] } },
            },
          ],
        },
      },
    ],
  });
  const client = (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) => {
    const c = new DynamoDBClient({ endpoint: cloud.url, region: 'us-east-1', credentials, maxAttempts: 1 });
    clients.push(c);
    return c;
  };
  return { cloud, admin: client({ accessKeyId: 'presso', secretAccessKey: 'presso' }), role: client(tenant) };
}

const put = (as: DynamoDBClient, pk: string, TableName = TABLE) =>
  as.send(new PutItemCommand({ TableName, Item: { pk: { S: pk }, cups: { N: '1' } } }));
const table = (TableName: string) =>
  new CreateTableCommand({
    TableName,
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    BillingMode: 'PAY_PER_REQUEST',
  });

it('holds a role to its own partition keys of a CreateTable table after a restart', async () => {
  const first = await start();
  await first.admin.send(table(TABLE));
  await put(first.role, 'tenant-1');
  // A full disk: the key cannot be written, CreateTable is refused.
  process.env.PRESSO_TEST_FAIL_WRITE = 'dynamodb:CreateTable';
  try {
    await expect(first.admin.send(table('Refused'))).rejects.toMatchObject({
      name: 'InternalServerError',
      message: expect.stringMatching(/^The local cloud could not write the key schema .*\(ENOSPC\)/),
    });
  } finally {
    delete process.env.PRESSO_TEST_FAIL_WRITE;
  }
  await first.cloud.close();
  clouds.length = 0;

  const second = await start();
  await put(second.role, 'tenant-1');
  await expect(put(second.role, 'tenant-2')).rejects.toMatchObject({
    name: 'AccessDeniedException',
    message: `User: arn:aws:sts::000000000000:assumed-role/tenant-1/tenant-1 is not authorized to perform: dynamodb:PutItem on resource: ${TABLE_ARN} because no identity-based policy allows the dynamodb:PutItem action`,
  });
}, 120_000);
