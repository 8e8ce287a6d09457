// GET /_presso/iam[?role=NAME]: per role, the actions it used, its grants never used and its denials
// (what `presso iam` prints); GET /_presso/iam/mode answers the mode.
import type { ServerResponse } from 'node:http';
import type { EdgeRequest, PathService } from '../edge/types.js';
import { sendJson } from '../services/request.js';
import type { Iam } from './iam.js';

export class IamRoutes implements PathService {
  readonly name = 'presso-iam';
  constructor(private readonly iam: Iam) {}

  accepts(request: EdgeRequest): boolean {
    return request.method === 'GET' && (request.path === '/_presso/iam' || request.path === '/_presso/iam/mode');
  }

  serve(request: EdgeRequest, res: ServerResponse): Promise<void> {
    if (request.path === '/_presso/iam/mode') sendJson(res, 200, { mode: this.iam.mode });
    else sendJson(res, 200, { mode: this.iam.mode, roles: this.iam.report(request.query.get('role') ?? undefined) });
    return Promise.resolve();
  }
}
