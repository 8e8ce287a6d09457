// Channel namespace handlers as AppSync runs them: APPSYNC_JS code, an ES module exporting
// `onSubscribe(ctx)` and/or `onPublish(ctx)`. The code is checked at deploy against what the
// APPSYNC_JS runtime refuses (with the line), then run in a node:vm context of its own: no Node
// globals, only the language's built-ins, `util` and `console`. The context (ctx) goes in as JSON
// and the result comes out as JSON, so no object of the host's realm is reachable from the code.
import { parse, type Node } from 'acorn';
import { ancestor } from 'acorn-walk';
import vm from 'node:vm';

export type Operation = 'SUBSCRIBE' | 'PUBLISH';

/** A handler that cannot be deployed: the line (1-based) and why. */
export class HandlerCodeError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

/** What a handler's run ended with: a value, or util.error / util.unauthorized / a runtime error. */
export type HandlerOutcome =
  { ok: true; result: unknown; logs: string[] } | { ok: false; errorType: string; message: string; logs: string[] };

export interface HandlerContext {
  identity: unknown;
  info: {
    channel: { path: string; segments: string[] };
    channelNamespace: { name: string };
    operation: Operation;
  };
  events?: Array<{ id: string; payload: unknown }>;
  request: { headers: Record<string, string>; domainName: string | null };
  stash: Record<string, unknown>;
}

export interface CompiledHandlers {
  has(name: 'onSubscribe' | 'onPublish'): boolean;
  run(name: 'onSubscribe' | 'onPublish', ctx: HandlerContext): HandlerOutcome;
}

const UTILS_MODULE = '@aws-appsync/utils';

/** Constructs the APPSYNC_JS runtime does not support, by ESTree node type. */
const UNSUPPORTED: Record<string, string> = {
  TryStatement: 'try/catch/finally is not supported by the APPSYNC_JS runtime',
  ThrowStatement: 'throw is not supported by the APPSYNC_JS runtime (use util.error())',
  WhileStatement: 'while loops are not supported by the APPSYNC_JS runtime (use for-of or for-in)',
  DoWhileStatement: 'do-while loops are not supported by the APPSYNC_JS runtime (use for-of or for-in)',
  ForStatement: 'for(;;) loops are not supported by the APPSYNC_JS runtime (use for-of or for-in)',
  ContinueStatement: 'continue is not supported by the APPSYNC_JS runtime',
  LabeledStatement: 'labeled statements are not supported by the APPSYNC_JS runtime',
  UpdateExpression: 'the ++ and -- operators are not supported by the APPSYNC_JS runtime (use += 1)',
  AwaitExpression: 'async/await is not supported by the APPSYNC_JS runtime',
  YieldExpression: 'generators are not supported by the APPSYNC_JS runtime',
};

/**
 * Checks APPSYNC_JS source and turns the module into a script: throws HandlerCodeError for a
 * syntax error or a construct the runtime refuses. Exported for tests of the check alone.
 */
export function checkHandlerCode(code: string): { script: string; exports: string[] } {
  let program: Node & { body: Array<Node & Record<string, unknown>> };
  try {
    program = parse(code, { ecmaVersion: 2022, sourceType: 'module', locations: true }) as unknown as typeof program;
  } catch (e) {
    const err = e as SyntaxError & { loc?: { line: number } };
    throw new HandlerCodeError(err.loc?.line ?? 1, `SyntaxError: ${err.message.replace(/ \(\d+:\d+\)$/, '')}`);
  }
  const refuse = (node: Node, reason: string): never => {
    throw new HandlerCodeError(node.loc?.start.line ?? 1, reason);
  };
  const fnCheck = (n: Node) => {
    const node = n as Node & { async?: boolean; generator?: boolean };
    if (node.async) refuse(node, 'async functions are not supported by the APPSYNC_JS runtime');
    if (node.generator) refuse(node, 'generators are not supported by the APPSYNC_JS runtime');
  };
  const visitors: Record<string, (node: Node) => void> = {
    UnaryExpression: (n) => {
      if ((n as Node & { operator: string }).operator === '~')
        refuse(n, 'the ~ operator is not supported by the APPSYNC_JS runtime');
    },
    BinaryExpression: (n) => {
      if ((n as Node & { operator: string }).operator === 'in')
        refuse(n, 'the in operator is not supported by the APPSYNC_JS runtime (use Object.hasOwn)');
    },
    FunctionDeclaration: fnCheck,
    FunctionExpression: fnCheck,
    ArrowFunctionExpression: fnCheck,
    ImportExpression: (n) => refuse(n, 'dynamic import() is not supported by the APPSYNC_JS runtime'),
  };
  for (const [type, reason] of Object.entries(UNSUPPORTED)) visitors[type] = (n) => refuse(n, reason);
  ancestor(program, visitors);

  // The module becomes a script: imports of the utils module dropped (util is a global), `export`
  // keywords cut out, so every line keeps its number.
  let script = code;
  const exports: string[] = [];
  const cuts: Array<[number, number, string]> = [];
  for (const node of program.body) {
    if (node.type === 'ImportDeclaration') {
      const source = (node.source as { value: string }).value;
      if (source !== UTILS_MODULE)
        refuse(node, `only '${UTILS_MODULE}' can be imported by APPSYNC_JS code, not '${source}'`);
      const bindings = (node.specifiers as Array<{ local: { name: string }; imported?: { name: string } }>).map(
        (s) => `${s.local.name} = __utils.${s.imported?.name ?? 'util'}`,
      );
      cuts.push([node.start, node.end, bindings.length ? `const ${bindings.join(', ')};` : '']);
    } else if (node.type === 'ExportNamedDeclaration') {
      const declaration = node.declaration as (Node & Record<string, unknown>) | null;
      if (declaration) {
        cuts.push([node.start, declaration.start, '']);
        if (declaration.type === 'FunctionDeclaration') exports.push((declaration.id as { name: string }).name);
        else
          for (const d of declaration.declarations as Array<{ id: { type: string; name: string } }>)
            if (d.id.type === 'Identifier') exports.push(d.id.name);
      } else {
        const specifiers = node.specifiers as Array<{ local: { name: string }; exported: { name: string } }>;
        if (node.source) refuse(node, 'export ... from is not supported by the APPSYNC_JS runtime');
        cuts.push([
          node.start,
          node.end,
          specifiers
            .filter((s) => s.exported.name !== s.local.name)
            .map((s) => `var ${s.exported.name} = ${s.local.name};`)
            .join(' '),
        ]);
        for (const s of specifiers) exports.push(s.exported.name);
      }
    } else if (node.type === 'ExportDefaultDeclaration' || node.type === 'ExportAllDeclaration') {
      refuse(node, 'handlers are named exports (export function onPublish(ctx) {...}), not a default export');
    }
  }
  for (const [start, end, text] of cuts.sort((a, b) => b[0] - a[0]))
    script = script.slice(0, start) + text + script.slice(end);
  return { script, exports };
}

// The sandbox's own code: util, console and the runner, in the sandbox's realm.
const PRELUDE = String.raw`
'use strict';
var __logs = [];
class __HandlerError extends Error { constructor(type, message, data) { super(message); this.errorType = type; this.data = data; } }
var __fmt = (v) => typeof v === 'string' ? v : JSON.stringify(v);
var console = Object.freeze({
  log: (...a) => void __logs.push(a.map(__fmt).join(' ')),
  error: (...a) => void __logs.push('ERROR ' + a.map(__fmt).join(' ')),
  warn: (...a) => void __logs.push('WARN ' + a.map(__fmt).join(' ')),
  info: (...a) => void __logs.push(a.map(__fmt).join(' ')),
  debug: (...a) => void __logs.push(a.map(__fmt).join(' ')),
});
var __hex = (n) => { let s = ''; for (let i = 0; i < n; i += 1) s += Math.floor(Math.random() * 16).toString(16); return s; };
var util = Object.freeze({
  error: (message, errorType, data) => { throw new __HandlerError(errorType || 'Error', String(message), data); },
  unauthorized: () => { throw new __HandlerError('UnauthorizedException', 'You are not authorized to make this call.'); },
  appendError: (message) => void __logs.push('appendError ' + message),
  log: (...a) => void __logs.push(a.map(__fmt).join(' ')),
  autoId: () => __hex(8) + '-' + __hex(4) + '-4' + __hex(3) + '-' + '89ab'[Math.floor(Math.random() * 4)] + __hex(3) + '-' + __hex(12),
  isNull: (v) => v === null || v === undefined,
  isNullOrEmpty: (v) => v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && Object.keys(v).length === 0),
  isNullOrBlank: (v) => v === null || v === undefined || (typeof v === 'string' && v.trim() === ''),
  defaultIfNull: (v, d) => (v === null || v === undefined ? d : v),
  defaultIfNullOrEmpty: (v, d) => (v === null || v === undefined || v === '' ? d : v),
  isString: (v) => typeof v === 'string',
  isNumber: (v) => typeof v === 'number',
  isBoolean: (v) => typeof v === 'boolean',
  isList: (v) => Array.isArray(v),
  isMap: (v) => v !== null && typeof v === 'object' && !Array.isArray(v),
  typeOf: (v) => v === null ? 'Null' : Array.isArray(v) ? 'List' : typeof v === 'object' ? 'Map' : typeof v === 'string' ? 'String' : typeof v === 'number' ? 'Number' : typeof v === 'boolean' ? 'Boolean' : 'Object',
  escapeJavaScript: (s) => JSON.stringify(String(s)).slice(1, -1),
  urlEncode: (s) => encodeURIComponent(s),
  urlDecode: (s) => decodeURIComponent(s),
  base64Encode: (s) => __base64(String(s)),
  time: Object.freeze({
    nowISO8601: () => new Date().toISOString(),
    nowEpochSeconds: () => Math.floor(Date.now() / 1000),
    nowEpochMilliSeconds: () => Date.now(),
    parseISO8601ToEpochMilliSeconds: (s) => Date.parse(s),
    epochMilliSecondsToISO8601: (ms) => new Date(ms).toISOString(),
    epochMilliSecondsToSeconds: (ms) => Math.floor(ms / 1000),
  }),
});
var __base64 = (s) => { const c = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'; const b = unescape(encodeURIComponent(s)); let o = ''; for (let i = 0; i < b.length; i += 3) { const n = (b.charCodeAt(i) << 16) | ((b.charCodeAt(i + 1) || 0) << 8) | (b.charCodeAt(i + 2) || 0); o += c[(n >> 18) & 63] + c[(n >> 12) & 63] + (i + 1 < b.length ? c[(n >> 6) & 63] : '=') + (i + 2 < b.length ? c[n & 63] : '='); } return o; };
var __utils = Object.freeze({ util, runtime: Object.freeze({ earlyReturn: (v) => { throw new __HandlerError('__earlyReturn', '', v); } }) });
`;

const RUNNER = String.raw`
(function () {
  __logs = [];
  const handler = __handlers[__name];
  try {
    const ctx = JSON.parse(__input);
    const result = handler(ctx);
    return JSON.stringify({ ok: true, result: result === undefined ? null : result, logs: __logs });
  } catch (e) {
    if (e instanceof __HandlerError && e.errorType === '__earlyReturn')
      return JSON.stringify({ ok: true, result: e.data === undefined ? null : e.data, logs: __logs });
    if (e instanceof __HandlerError)
      return JSON.stringify({ ok: false, errorType: e.errorType, message: e.message, logs: __logs });
    return JSON.stringify({ ok: false, errorType: 'Code', message: String(e && e.message || e), logs: __logs });
  }
})()
`;

/**
 * Compiles a namespace's handlers into a context of their own. Throws HandlerCodeError at deploy
 * for code AppSync would refuse. `timeoutMs` bounds each run (a handler that loops is stopped).
 */
export function compileHandlers(
  code: string,
  options: { filename?: string; timeoutMs?: number } = {},
): CompiledHandlers {
  const { script, exports } = checkHandlerCode(code);
  const handlers = exports.filter((e) => e === 'onSubscribe' || e === 'onPublish');
  const context = vm.createContext(Object.create(null), { codeGeneration: { strings: false, wasm: false } });
  const timeout = options.timeoutMs ?? 1000;
  vm.runInContext(PRELUDE, context, { filename: 'appsync-runtime.js', timeout });
  try {
    // Module scope: the handlers' top-level code runs once, as a module's does.
    vm.runInContext(
      `var __handlers = (function () { 'use strict';\n${script}\nreturn { ${handlers.map((h) => `${h}: typeof ${h} === 'function' ? ${h} : undefined`).join(', ')} };\n})();`,
      context,
      { filename: options.filename ?? 'handler.js', timeout, lineOffset: -1 },
    );
  } catch (e) {
    const stack = String((e as Error).stack ?? e);
    const line = /handler\.js:(\d+)|:(\d+)\n/.exec(stack);
    throw new HandlerCodeError(
      Number(line?.[1] ?? line?.[2] ?? 1),
      `the module failed to load: ${(e as Error).message}`,
    );
  }
  const runner = new vm.Script(RUNNER, { filename: 'appsync-runner.js' });
  const defined = new Set(
    handlers.filter((h) => vm.runInContext(`typeof __handlers.${h} === 'function'`, context) === true),
  );
  return {
    has: (name) => defined.has(name),
    run(name, ctx) {
      context.__name = name;
      context.__input = JSON.stringify(ctx);
      try {
        return JSON.parse(runner.runInContext(context, { timeout }) as string) as HandlerOutcome;
      } catch (e) {
        const timedOut = (e as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT';
        return {
          ok: false,
          errorType: timedOut ? 'TimeoutException' : 'Code',
          message: timedOut ? `the ${name} handler ran longer than ${timeout} ms` : String((e as Error).message),
          logs: [],
        };
      }
    },
  };
}
