// What `presso up` and `presso stacks` print for a stack: an AppSync Events API's HTTP publish and
// realtime URLs on the edge, next to the HTTP APIs and the local outputs.
import { describe, expect, it } from '@jest/globals';
import { PassThrough } from 'node:stream';
import type { StackRecord } from '@serverlesspresso/local';
import { printStack } from '../src/commands/stacks.js';

describe('printStack', () => {
  it("prints each Event API's HTTP and realtime URLs", () => {
    const id = 'abcdefghijklmnopqrstuvwxyz';
    const record: StackRecord = {
      name: 'core',
      templateFile: 'core/template.yaml',
      status: 'CREATE_COMPLETE',
      parameters: {},
      resources: [],
      notEmulated: [],
      deployedAt: '2026-01-01T00:00:00.000Z',
      outputs: { RealtimeUrl: `wss://${id}.appsync-realtime-api.us-east-1.amazonaws.com/event/realtime` },
      localOutputs: { RealtimeUrl: `ws://127.0.0.1:4566/appsync/${id}/event/realtime` },
      apis: {},
      eventApis: {
        Realtime: {
          logicalId: 'Realtime',
          apiId: id,
          name: 'core-realtime',
          http: `http://127.0.0.1:4566/appsync/${id}/event`,
          realtime: `ws://127.0.0.1:4566/appsync/${id}/event/realtime`,
          dns: {
            http: `${id}.appsync-api.us-east-1.amazonaws.com`,
            realtime: `${id}.appsync-realtime-api.us-east-1.amazonaws.com`,
          },
          namespaces: ['orders', 'staff'],
        },
      },
    };
    const out = new PassThrough();
    printStack(record, out);
    expect(String(out.read())).toBe(
      [
        'core  CREATE_COMPLETE  0 resources  (core/template.yaml)',
        '    event api Realtime  namespaces: orders, staff',
        `        http      http://127.0.0.1:4566/appsync/${id}/event`,
        `        realtime  ws://127.0.0.1:4566/appsync/${id}/event/realtime`,
        `    RealtimeUrl = ws://127.0.0.1:4566/appsync/${id}/event/realtime`,
        '',
      ].join('\n'),
    );
  });
});
