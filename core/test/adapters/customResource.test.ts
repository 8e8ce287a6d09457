// The custom resource answer, PUT to a real HTTP server standing in for CloudFormation's pre-signed URL.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import type { CloudFormationCustomResourceCreateEvent } from 'aws-lambda';
import { sendCustomResourceResponse } from '../../src/adapters/customResource.js';

function request(url: string): CloudFormationCustomResourceCreateEvent {
  return {
    RequestType: 'Create',
    ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:seed',
    ResponseURL: url,
    StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/core/1',
    RequestId: 'req-1',
    LogicalResourceId: 'SeedConfig',
    ResourceType: 'Custom::SeedConfig',
    ResourceProperties: { ServiceToken: 'x', EventId: 'NYC' },
  };
}

async function withServer(
  status: number,
  run: (url: string, received: { method?: string; type?: string; body?: unknown }) => Promise<void>,
) {
  const received: { method?: string; type?: string; body?: unknown } = {};
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      Object.assign(received, { method: req.method, type: req.headers['content-type'], body: JSON.parse(text) });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}/presigned?X-Amz-Signature=abc`, received);
  } finally {
    await new Promise((r) => server.close(r));
  }
}

describe('sendCustomResourceResponse', () => {
  it("PUTs CloudFormation's response document, without a content type", async () => {
    await withServer(200, async (url, received) => {
      await sendCustomResourceResponse(request(url), {
        status: 'SUCCESS',
        physicalResourceId: 'seed-config-NYC',
        data: { Created: 'true' },
      });
      expect(received).toEqual({
        method: 'PUT',
        type: '',
        body: {
          Status: 'SUCCESS',
          PhysicalResourceId: 'seed-config-NYC',
          StackId: request(url).StackId,
          RequestId: 'req-1',
          LogicalResourceId: 'SeedConfig',
          Data: { Created: 'true' },
        },
      });
    });
  });

  it('sends a failure with its reason, and throws when the URL refuses the answer', async () => {
    await withServer(403, async (url, received) => {
      await expect(
        sendCustomResourceResponse(request(url), {
          status: 'FAILED',
          physicalResourceId: 'p',
          reason: 'EventId must be...',
        }),
      ).rejects.toThrow("CloudFormation's ResponseURL answered 403");
      expect(received.body).toMatchObject({ Status: 'FAILED', Reason: 'EventId must be...' });
    });
  });
});
