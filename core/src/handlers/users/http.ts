// Admin routes on customers' accounts: block one (it cannot sign in, its sessions end, and its tokens
// still valid are refused for orders) and unblock it. {userId} is the account's sub, as staff see it
// on orders.
import { badRequest, notFound } from '../../domain/index.js';
import { requireGroup } from '../../adapters/http/auth.js';
import { json, Problem } from '../../adapters/http/responses.js';
import { httpRoutes, type HttpRequest } from '../../adapters/http/router.js';
import { listBlocked, unlistBlocked } from '../../adapters/accountStore.js';
import { disableAccount, enableAccount } from '../../adapters/userPool.js';

function userIdParam(request: HttpRequest): string {
  const userId = request.params.userId ?? '';
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(userId))
    throw new Problem(
      badRequest(
        'INVALID_USER_ID',
        "The user id in the path must be the account's sub (letters, digits, hyphens), as orders show it to staff.",
      ),
    );
  return userId;
}

const noSuchAccount = (userId: string) =>
  new Problem(notFound('USER_NOT_FOUND', `The user pool has no account ${userId}; check the user id on the order.`));

async function block(request: HttpRequest) {
  requireGroup(request.caller, ['admin'], 'block an account');
  const userId = userIdParam(request);
  // The pool first: an account it does not know is not listed.
  if ((await disableAccount(userId)) === 'not-found') throw noSuchAccount(userId);
  await listBlocked(userId, request.caller.userId, request.now);
  return json(200, {
    userId,
    blocked: true,
    message:
      'The account is blocked: it cannot sign in, its sessions are signed out, and its orders are refused, also with a token issued before.',
  });
}

async function unblock(request: HttpRequest) {
  requireGroup(request.caller, ['admin'], 'unblock an account');
  const userId = userIdParam(request);
  if ((await enableAccount(userId)) === 'not-found') throw noSuchAccount(userId);
  await unlistBlocked(userId);
  return json(200, { userId, blocked: false, message: 'The account is unblocked: it may sign in and order again.' });
}

export const handler = httpRoutes({
  'POST /users/{userId}/block': block,
  'POST /users/{userId}/unblock': unblock,
});
