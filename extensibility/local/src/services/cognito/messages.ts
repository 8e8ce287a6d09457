// What Cognito would email, kept where a developer and a test can read it (as LocalStack does): each
// message is printed in the local cloud's log (`presso up`'s output) and answered by
// `GET <edge>/_presso/cognito/messages[?email=E&userPool=P&kind=K]`, oldest first. Nothing is sent.
import type { ServerResponse } from 'node:http';
import type { EdgeRequest, PathService } from '../../edge/types.js';
import { sendJson } from '../request.js';
import { normalizeEmail } from './users.js';

/** Why Cognito writes: a sign-up's (or a resend's) confirmation code, a password reset code, an AdminCreateUser invitation. */
export type MessageKind = 'confirmation' | 'reset' | 'invitation';

export interface CognitoMessage {
  userPoolId: string;
  /** The address it went to (lowercased, as the pool keeps it). */
  email: string;
  kind: MessageKind;
  /** The 6-digit code, or the temporary password of an invitation. */
  code: string;
  /** ISO 8601. */
  sentAt: string;
}

/** The most kept: a long session's older messages go first. */
const KEEP = 1000;

export class CognitoMessages {
  private readonly messages: CognitoMessage[] = [];

  constructor(private readonly log: (line: string) => void) {}

  /** "Sends" a message: keeps it and prints the line a person reads the code from (or the line given). */
  send(message: Omit<CognitoMessage, 'sentAt'>, line?: string): CognitoMessage {
    const sent = { ...message, sentAt: new Date().toISOString() };
    this.messages.push(sent);
    if (this.messages.length > KEEP) this.messages.shift();
    const what = message.kind === 'confirmation' ? 'confirmation code' : 'password reset code';
    this.log(`[cognito] ${message.userPoolId}: ${line ?? `${what} for ${message.email}: ${message.code}`}`);
    return sent;
  }

  list(filter: { email?: string; userPoolId?: string; kind?: string } = {}): CognitoMessage[] {
    const email = filter.email === undefined ? undefined : normalizeEmail(filter.email);
    return this.messages.filter(
      (m) =>
        (email === undefined || m.email === email) &&
        (filter.userPoolId === undefined || m.userPoolId === filter.userPoolId) &&
        (filter.kind === undefined || m.kind === filter.kind),
    );
  }
}

export const MESSAGES_PATH = '/_presso/cognito/messages';

/** GET /_presso/cognito/messages: the messages Cognito would have emailed, oldest first. */
export class CognitoMessagesRoute implements PathService {
  readonly name = 'cognito-messages';

  constructor(private readonly messages: CognitoMessages) {}

  accepts(request: EdgeRequest): boolean {
    return request.path === MESSAGES_PATH;
  }

  async serve(request: EdgeRequest, response: ServerResponse): Promise<void> {
    if (request.method !== 'GET') return sendJson(response, 405, { message: `Use GET ${MESSAGES_PATH}.` });
    const param = (name: string) => request.query.get(name) ?? undefined;
    const kind = param('kind');
    if (kind !== undefined && !['confirmation', 'reset', 'invitation'].includes(kind))
      return sendJson(response, 400, {
        message: `kind must be confirmation, reset or invitation, got ${JSON.stringify(kind)}.`,
      });
    const email = param('email');
    const userPoolId = param('userPool');
    sendJson(response, 200, {
      messages: this.messages.list({
        ...(email !== undefined ? { email } : {}),
        ...(userPoolId !== undefined ? { userPoolId } : {}),
        ...(kind !== undefined ? { kind } : {}),
      }),
    });
  }
}
