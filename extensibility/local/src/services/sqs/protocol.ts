// SQS on the edge, in both of its wire protocols: the JSON protocol AWS SDK v3 speaks
// (`X-Amz-Target: AmazonSQS.<Operation>`, `application/x-amz-json-1.0`, errors as
// `com.amazonaws.sqs#<Name>` with the query code in `x-amzn-query-error`) and the query protocol
// (form-encoded `Action=<Operation>`, XML answers) that older SDKs and the aws CLI may use.
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { EdgeRequest, PathService, ProxyService } from '../../edge/types.js';
import { isObject } from '../../json.js';
import { SqsError } from './errors.js';
import type { SqsService } from './service.js';

const XMLNS = 'http://queue.amazonaws.com/doc/2012-11-05/';
const QUEUE_PATH = /^\/(\d{12})\/([^/]+)\/?$/;

function sendJsonError(res: ServerResponse, error: SqsError): void {
  const text = JSON.stringify({ __type: `com.amazonaws.sqs#${error.code}`, message: error.message });
  res.writeHead(error.status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(text),
    'x-amzn-query-error': `${error.queryCode};${error.senderFault ? 'Sender' : 'Receiver'}`,
    'x-amzn-requestid': randomUUID(),
  });
  res.end(text);
}

function internal(e: unknown): SqsError {
  return e instanceof SqsError ? e : new SqsError('InternalError', 'InternalError', (e as Error).message, 500, false);
}

/** The edge's SQS service: a ProxyService for the JSON protocol and a PathService for the query protocol. */
export class SqsEdge implements ProxyService, PathService {
  readonly name = 'sqs';
  readonly targetPrefixes = ['AmazonSQS'] as const;

  constructor(
    private readonly sqs: SqsService,
    private readonly log: (line: string) => void = () => {},
  ) {}

  async proxy(request: EdgeRequest, res: ServerResponse): Promise<void> {
    const target = String(request.headers['x-amz-target'] ?? '');
    const operation = target.slice(target.lastIndexOf('.') + 1);
    let input: unknown;
    try {
      const text = request.body.toString('utf8');
      input = text.trim() === '' ? {} : JSON.parse(text);
      if (!isObject(input)) throw new Error('the body must be a JSON object');
    } catch (e) {
      return sendJsonError(
        res,
        new SqsError(
          'SerializationException',
          'SerializationException',
          `Malformed request body: ${(e as Error).message}`,
        ),
      );
    }
    try {
      const output = await this.sqs.handle(operation, input);
      const text = JSON.stringify(output ?? {});
      res.writeHead(200, {
        'content-type': 'application/x-amz-json-1.0',
        'content-length': Buffer.byteLength(text),
        'x-amzn-requestid': randomUUID(),
      });
      res.end(text);
    } catch (e) {
      if (!(e instanceof SqsError)) this.log(`[sqs] ${operation} failed: ${(e as Error).stack ?? String(e)}`);
      sendJsonError(res, internal(e));
    }
  }

  /** Query-protocol requests: `Action=` in the form body (or the query string), at `/` or at a queue's path. */
  accepts(request: EdgeRequest): boolean {
    if (request.path !== '/' && !QUEUE_PATH.test(request.path)) return false;
    if (request.query.has('Action')) return true;
    const type = String(request.headers['content-type'] ?? '');
    return type.startsWith('application/x-www-form-urlencoded') && /(^|&)Action=/.test(request.body.toString('utf8'));
  }

  async serve(request: EdgeRequest, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams(request.query);
    for (const [k, v] of new URLSearchParams(request.body.toString('utf8'))) form.append(k, v);
    const action = form.get('Action') ?? '';
    const requestId = randomUUID();
    try {
      const input = queryInput(form);
      const path = QUEUE_PATH.exec(request.path);
      // The query protocol may name the queue by the request's path instead of QueueUrl.
      if (path && input.QueueUrl === undefined) input.QueueUrl = `${this.sqs.endpoint}${request.path}`;
      const output = await this.sqs.handle(action, input);
      const xml =
        `<?xml version="1.0"?><${action}Response xmlns="${XMLNS}">` +
        (isObject(output) && Object.keys(output).length
          ? `<${action}Result>${toXml(output, action)}</${action}Result>`
          : '') +
        `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
      res.writeHead(200, {
        'content-type': 'text/xml',
        'content-length': Buffer.byteLength(xml),
        'x-amzn-requestid': requestId,
      });
      res.end(xml);
    } catch (e) {
      const error = internal(e);
      if (!(e instanceof SqsError)) this.log(`[sqs] ${action} failed: ${(e as Error).stack ?? String(e)}`);
      const xml =
        `<?xml version="1.0"?><ErrorResponse xmlns="${XMLNS}"><Error><Type>${error.senderFault ? 'Sender' : 'Receiver'}</Type>` +
        `<Code>${escape(error.queryCode)}</Code><Message>${escape(error.message)}</Message><Detail/></Error>` +
        `<RequestId>${requestId}</RequestId></ErrorResponse>`;
      res.writeHead(error.status, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(xml) });
      res.end(xml);
    }
  }
}

// ---- query protocol: form parameters in, XML out ----------------------------------------------------

/** Flattened list members of the query protocol and the JSON member they become. */
const LISTS: Record<string, string> = {
  AttributeName: 'AttributeNames',
  MessageAttributeName: 'MessageAttributeNames',
  MessageSystemAttributeName: 'MessageSystemAttributeNames',
  TagKey: 'TagKeys',
};
/** Flattened maps: `<Name>.N.Name`/`.Value` (or Key/Value for tags). */
const MAPS: Record<string, string> = {
  Attribute: 'Attributes',
  MessageAttribute: 'MessageAttributes',
  MessageSystemAttribute: 'MessageSystemAttributes',
  Tag: 'Tags',
};

type Tree = Record<string, unknown>;

/** Form parameters as a tree: `A.1.B.C=v` becomes { A: { '1': { B: { C: v } } } }. */
function tree(params: Iterable<[string, string]>): Tree {
  const root: Tree = {};
  for (const [key, value] of params) {
    const parts = key.split('.');
    let node = root;
    for (const part of parts.slice(0, -1)) {
      if (!isObject(node[part])) node[part] = {};
      node = node[part] as Tree;
    }
    node[parts.at(-1)!] = value;
  }
  return root;
}

const indexed = (node: unknown): Tree[] | string[] =>
  isObject(node)
    ? Object.keys(node)
        .filter((k) => /^\d+$/.test(k))
        .sort((a, b) => Number(a) - Number(b))
        .map((k) => node[k] as Tree)
    : [];

/** A tree's members in the JSON protocol's shape. */
function members(node: Tree): Tree {
  const out: Tree = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'Action' || key === 'Version') continue;
    if (LISTS[key]) out[LISTS[key]] = indexed(value);
    else if (MAPS[key]) {
      const map: Tree = {};
      for (const entry of indexed(value) as Tree[]) {
        if (!isObject(entry)) continue;
        const name = String(entry.Name ?? entry.Key ?? '');
        const v = entry.Value;
        map[name] = isObject(v) ? { ...v } : v;
      }
      // CreateQueue takes its tags as `Tag.N` into the lower-case `tags` member.
      out[key === 'Tag' && isObject(node) && 'QueueName' in node ? 'tags' : MAPS[key]] = map;
    } else if (key.endsWith('RequestEntry')) {
      out.Entries = (indexed(value) as Tree[]).map((e) => (isObject(e) ? members(e) : e));
    } else out[key] = value;
  }
  return out;
}

export function queryInput(form: URLSearchParams): Tree {
  return members(tree(form));
}

function escape(text: string): string {
  return text.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!,
  );
}

/** List members of the JSON output and the element each item becomes in XML. */
const XML_LISTS: Record<string, string> = {
  QueueUrls: 'QueueUrl',
  queueUrls: 'QueueUrl',
  Messages: 'Message',
  Failed: 'BatchResultErrorEntry',
  Results: 'ListMessageMoveTasksResultEntry',
};

function toXml(value: unknown, key?: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'object') return escape(String(value));
  let xml = '';
  for (const [k, v] of Object.entries(value as Tree)) {
    if (Array.isArray(v)) {
      const item = XML_LISTS[k] ?? (k === 'Successful' ? `${key ?? ''}ResultEntry` : k);
      for (const element of v) xml += `<${item}>${toXml(element)}</${item}>`;
    } else if ((k === 'Attributes' || k === 'MessageAttributes' || k === 'Tags') && isObject(v)) {
      const element = k === 'Attributes' ? 'Attribute' : k === 'Tags' ? 'Tag' : 'MessageAttribute';
      const name = k === 'Tags' ? 'Key' : 'Name';
      for (const [n, item] of Object.entries(v))
        xml += `<${element}><${name}>${escape(n)}</${name}><Value>${toXml(item)}</Value></${element}>`;
    } else xml += `<${k}>${toXml(v)}</${k}>`;
  }
  return xml;
}
