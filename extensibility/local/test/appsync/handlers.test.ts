// Namespace handlers evaluated as AppSync evaluates APPSYNC_JS: the deploy-time check (with the
// line), onSubscribe / onPublish with util, ctx.identity and ctx.info, isolation and a time budget.
import { describe, expect, it } from '@jest/globals';
import {
  checkHandlerCode,
  compileHandlers,
  HandlerCodeError,
  type HandlerContext,
} from '../../src/services/appsync/handlers.js';

const ctx = (over: Partial<HandlerContext> = {}): HandlerContext => ({
  identity: { sub: 'u1', username: 'ana', groups: ['barista'] },
  info: {
    channel: { path: '/orders/e1/u1', segments: ['orders', 'e1', 'u1'] },
    channelNamespace: { name: 'orders' },
    operation: 'SUBSCRIBE',
  },
  request: { headers: {}, domainName: null },
  stash: {},
  ...over,
});

const refusal = (code: string): string => {
  try {
    checkHandlerCode(code);
  } catch (e) {
    if (e instanceof HandlerCodeError) return e.message;
    throw e;
  }
  return 'accepted';
};

describe('the deploy-time check', () => {
  it.each([
    ['export function onPublish(ctx) {\n  while (true) {}\n}', 'line 2: while loops are not supported'],
    ['export function onPublish(ctx) {\n  do {} while (false)\n}', 'line 2: do-while loops are not supported'],
    ['export function onPublish(ctx) {\n\n  for (let i = 0; i < 2; i += 1) {}\n}', 'line 3: for(;;) loops'],
    ['export function onPublish(ctx) {\n  try { return 1 } catch (e) { return 2 }\n}', 'line 2: try/catch/finally'],
    ['export function onPublish(ctx) {\n  throw new Error("x")\n}', 'line 2: throw is not supported'],
    ['export function onPublish(ctx) {\n  let n = 0;\n  n++;\n}', 'line 3: the ++ and -- operators'],
    ['export function onPublish(ctx) {\n  return "a" in ctx;\n}', 'line 2: the in operator'],
    [
      'export function onPublish(ctx) {\n  for (const e of ctx.events) { continue; }\n}',
      'line 2: continue is not supported',
    ],
    ['export async function onPublish(ctx) {\n}', 'line 1: async functions'],
    [
      'import fs from "node:fs";\nexport function onPublish(ctx) {}',
      "line 1: only '@aws-appsync/utils' can be imported",
    ],
    ['export function onPublish(ctx) {\n  return ctx.events\n}\nlet x = ;', 'line 4: SyntaxError: Unexpected token'],
    ['export default function (ctx) {}', 'line 1: handlers are named exports'],
  ])('refuses %j', (code, reason) => {
    expect(refusal(code)).toContain(reason);
  });

  it('accepts what the runtime supports: for-of, for-in, switch, arrows, spread, template literals, the utils import', () => {
    const code = `import { util } from '@aws-appsync/utils';
export function onPublish(ctx) {
  const out = [];
  for (const e of ctx.events) {
    switch (e.payload.kind) {
      case 'skip': break;
      default: out.push({ ...e, payload: { ...e.payload, at: \`\${ctx.info.channel.path}\` } });
    }
  }
  for (const k in ctx.stash) util.log(k);
  return out.filter((e) => e.payload.kind !== 'skip');
}`;
    expect(refusal(code)).toBe('accepted');
  });
});

describe('onSubscribe and onPublish', () => {
  const handlers = compileHandlers(`import { util } from '@aws-appsync/utils';
export function onSubscribe(ctx) {
  if (ctx.info.channel.segments[2] !== ctx.identity.sub) {
    console.log('refused', ctx.identity.username);
    util.unauthorized();
  }
  if (ctx.info.channel.segments[1] === 'closed') util.error('this event is closed', 'EventClosed');
}
export const onPublish = (ctx) => ctx.events
  .filter((e) => e.payload.keep)
  .map((e) => ({ id: e.id, payload: { ...e.payload, ns: ctx.info.channelNamespace.name, op: ctx.info.operation } }));
`);

  it('lets a subscription through by returning nothing', () => {
    expect(handlers.has('onSubscribe')).toBe(true);
    expect(handlers.run('onSubscribe', ctx())).toEqual({ ok: true, result: null, logs: [] });
  });

  it('refuses with util.unauthorized() as AppSync does, keeping what the handler logged', () => {
    expect(handlers.run('onSubscribe', ctx({ identity: { sub: 'u2', username: 'bob' } }))).toEqual({
      ok: false,
      errorType: 'UnauthorizedException',
      message: 'You are not authorized to make this call.',
      logs: ['refused bob'],
    });
  });

  it('fails with util.error(message, type)', () => {
    const closed = ctx({
      info: { ...ctx().info, channel: { path: '/orders/closed/u1', segments: ['orders', 'closed', 'u1'] } },
    });
    expect(handlers.run('onSubscribe', closed)).toMatchObject({
      ok: false,
      errorType: 'EventClosed',
      message: 'this event is closed',
    });
  });

  it('filters and transforms the published events', () => {
    const publish = ctx({
      info: { ...ctx().info, operation: 'PUBLISH' },
      events: [
        { id: 'a', payload: { keep: true } },
        { id: 'b', payload: { keep: false } },
      ],
    });
    expect(handlers.run('onPublish', publish)).toEqual({
      ok: true,
      result: [{ id: 'a', payload: { keep: true, ns: 'orders', op: 'PUBLISH' } }],
      logs: [],
    });
  });

  it('runs isolated: no Node globals, no code from strings, a fresh ctx per run', () => {
    const probe = compileHandlers(`export function onPublish(ctx) {
  ctx.events.push({ id: 'added' });
  return [typeof process, typeof require, typeof globalThis.fetch, typeof setTimeout, ctx.events.length];
}
export function onSubscribe(ctx) {
  return ctx.constructor.constructor('return process')();
}`);
    const run = () => probe.run('onPublish', ctx({ events: [] }));
    expect(run()).toMatchObject({ ok: true, result: ['undefined', 'undefined', 'undefined', 'undefined', 1] });
    expect(run()).toMatchObject({ ok: true, result: ['undefined', 'undefined', 'undefined', 'undefined', 1] });
    expect(probe.run('onSubscribe', ctx())).toMatchObject({
      ok: false,
      message: expect.stringContaining('Code generation from strings disallowed'),
    });
  });

  it('stops a handler that runs past its time budget', () => {
    const slow = compileHandlers(
      `export function onPublish(ctx) {
  let n = 0;
  for (const i of Array.from({ length: 1e8 }, (_, k) => k)) n += i;
  return n;
}`,
      { timeoutMs: 20 },
    );
    expect(slow.run('onPublish', ctx({ events: [] }))).toMatchObject({ ok: false, errorType: 'TimeoutException' });
  });

  it('knows which handlers a namespace exports', () => {
    const only = compileHandlers('function publish(ctx) { return ctx.events; }\nexport { publish as onPublish };');
    expect(only.has('onPublish')).toBe(true);
    expect(only.has('onSubscribe')).toBe(false);
  });
});
