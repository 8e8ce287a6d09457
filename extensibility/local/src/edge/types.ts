import type { IncomingMessage, ServerResponse } from 'node:http';

/** What every service sees of a request. */
export interface EdgeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
  /**
   * Set by the edge's IAM check: the entries of a batch (PutEvents) its signer may not send, by
   * index, for the service to fail one by one as AWS does.
   */
  deniedEntries?: ReadonlyMap<number, { code: string; message: string }>;
}

/**
 * An AWS JSON-protocol service (EventBridge, Step Functions, DynamoDB...): requests are routed by
 * the `X-Amz-Target: <prefix>.<Operation>` header.
 */
export interface JsonService {
  readonly name: string;
  /** X-Amz-Target prefixes answered, e.g. "AWSEvents". */
  readonly targetPrefixes: readonly string[];
  /** JSON protocol version of the responses: "1.0" or "1.1". */
  readonly jsonVersion: '1.0' | '1.1';
  /** Returns the operation's output, or throws an AwsError. */
  handle(operation: string, input: Record<string, unknown>, request: EdgeRequest): Promise<unknown>;
}

/** A service reached by path (Lambda's REST API, HTTP APIs, the local cloud's own routes). */
export interface PathService {
  readonly name: string;
  /** True when this service answers the request; asked in registration order. */
  accepts(request: EdgeRequest): boolean;
  serve(request: EdgeRequest, response: ServerResponse): Promise<void>;
}

/** A service that forwards requests as they are (DynamoDB to DynamoDB Local). */
export interface ProxyService {
  readonly name: string;
  readonly targetPrefixes: readonly string[];
  proxy(request: EdgeRequest, response: ServerResponse): Promise<void>;
}

export type EdgeService = JsonService | PathService | ProxyService;
