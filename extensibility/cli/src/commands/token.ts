// presso token: a JWT from the local issuer, for routes whose authorizer needs one
// (e.g. `curl -H "Authorization: Bearer $(npx presso token --user alice --groups barista)" ...`).
// With a user pool deployed the token is that pool's (iss its ProviderURL, aud its app client);
// with several, --user-pool picks one.
import { callCloud } from '../endpoint.js';

export interface TokenOptions {
  user: string;
  groups?: string;
  userPool?: string;
  client?: string;
  audience?: string;
  scopes?: string;
  /** The ID token's email, and whether it is verified (a user pool's ID tokens carry both). */
  email?: string;
  unverified?: boolean;
}

const list = (value: string | undefined) =>
  value
    ? value
        .split(',')
        .map((g) => g.trim())
        .filter(Boolean)
    : [];

export async function tokenCommand(
  endpoint: string,
  options: TokenOptions,
  out: NodeJS.WritableStream,
): Promise<number> {
  const scopes = list(options.scopes);
  const response = await callCloud(endpoint, '/_presso/token', {
    method: 'POST',
    body: JSON.stringify({
      user: options.user,
      groups: list(options.groups),
      ...(scopes.length ? { scopes } : {}),
      ...(options.userPool ? { userPool: options.userPool } : {}),
      ...(options.client ? { client: options.client } : {}),
      ...(options.audience ? { audience: options.audience } : {}),
      ...(options.email ? { email: options.email } : {}),
      ...(options.unverified ? { emailVerified: false } : {}),
    }),
  });
  const body = (await response.json()) as { token?: string; message?: string };
  if (!response.ok || !body.token) {
    out.write(`presso token: ${body.message ?? response.statusText}\n`);
    return 1;
  }
  out.write(`${body.token}\n`);
  return 0;
}
