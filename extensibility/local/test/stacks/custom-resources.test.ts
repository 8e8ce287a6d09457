// Lambda-backed custom resources follow CloudFormation's protocol: the function gets the request
// with a ResponseURL on the edge and answers there; Delete comes when the stack goes.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startLocalCloud, type EventEnvelope, type LocalCloud } from '../../src/index.js';

const app = new URL('./fixtures/custom-app', import.meta.url).pathname;
let cloud: LocalCloud;
const seen: EventEnvelope[] = [];

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, log: () => {} });
  cloud.events.archive.subscribe(({ event }) => void (event.source === 'test.seed' && seen.push(event)));
});
afterAll(async () => cloud.close());

describe('custom resources', () => {
  it('sends Create with the resource properties and a ResponseURL, and Delete with the physical id when the stack goes', async () => {
    await cloud.stacks.deploy({ path: app, stackName: 'seeded' });
    const create = seen.find((e) => e['detail-type'] === 'Seed.Create')!;
    expect(create.detail).toMatchObject({
      RequestType: 'Create',
      ResourceType: 'Custom::Seed',
      LogicalResourceId: 'Seed',
      StackId: expect.stringMatching(/^arn:aws:cloudformation:us-east-1:000000000000:stack\/seeded\/[0-9a-f-]{36}$/),
      ResponseURL: expect.stringMatching(new RegExp(`^${cloud.url}/_presso/cloudformation/responses/`)),
      ResourceProperties: { ServiceToken: expect.stringContaining(':function:seeded-SeedFunction-'), Tenant: 'NYC' },
    });
    // A response URL answers once, as a pre-signed URL that has been used.
    expect((await fetch(create.detail.ResponseURL as string, { method: 'PUT', body: '{}' })).status).toBe(403);

    await cloud.stacks.delete('seeded');
    const del = seen.find((e) => e['detail-type'] === 'Seed.Delete')!;
    expect(del.detail).toMatchObject({
      RequestType: 'Delete',
      PhysicalResourceId: 'seed-NYC',
      StackId: create.detail.StackId,
    });
  });

  it('sends nothing on a redeploy with the same properties, and Update with the old properties when they change', async () => {
    await cloud.stacks.deploy({ path: app, stackName: 'updated' });
    const requests = () =>
      seen.filter((e) => (e.detail.StackId as string).includes('/updated/')).map((e) => e['detail-type']);
    await cloud.stacks.deploy({ path: app, stackName: 'updated' });
    expect(requests()).toEqual(['Seed.Create']);
    await cloud.stacks.deploy({ path: app, stackName: 'updated', parameterOverrides: { Tenant: 'LDN' } });
    const update = seen.find((e) => e['detail-type'] === 'Seed.Update')!;
    expect(update.detail).toMatchObject({
      RequestType: 'Update',
      PhysicalResourceId: 'seed-NYC',
      ResourceProperties: { Tenant: 'LDN' },
      OldResourceProperties: { Tenant: 'NYC' },
    });
    await cloud.stacks.delete('updated');
    expect(requests()).toEqual(['Seed.Create', 'Seed.Update', 'Seed.Delete']);
    expect(seen.filter((e) => e['detail-type'] === 'Seed.Delete').at(-1)!.detail.PhysicalResourceId).toBe('seed-NYC');
  });

  it('fails the deploy with the reason a FAILED response gives, leaving nothing', async () => {
    await expect(
      cloud.stacks.deploy({ path: app, stackName: 'refused', parameterOverrides: { Answer: 'FAILED' } }),
    ).rejects.toThrow(
      'Resources.Seed: Received response status [FAILED] from custom resource. Message returned: the menu is invalid',
    );
    expect(cloud.stacks.get('refused')).toBeUndefined();
    expect(cloud.lambda.list().filter((f) => f.name.startsWith('refused-'))).toEqual([]);
  });

  it('fails the deploy when the function never answers', async () => {
    await expect(
      cloud.stacks.deploy({ path: app, stackName: 'silent', parameterOverrides: { Answer: 'NONE' } }),
    ).rejects.toThrow(
      'Resources.Seed.Properties.ServiceToken: the function returned without sending a response to the ResponseURL',
    );
    expect(cloud.stacks.get('silent')).toBeUndefined();
  });
});
