// presso token: a JWT from the local issuer, for routes whose authorizer needs one
// (e.g. `curl -H "Authorization: Bearer $(npx presso token --user alice --groups barista)" ...`).
import { callCloud } from '../endpoint.js';

export async function tokenCommand(endpoint: string, options: { user: string; groups?: string; audience?: string }, out: NodeJS.WritableStream): Promise<number> {
  const groups = options.groups ? options.groups.split(',').map((g) => g.trim()).filter(Boolean) : [];
  const response = await callCloud(endpoint, '/_presso/token', {
    method: 'POST',
    body: JSON.stringify({ user: options.user, groups, ...(options.audience ? { audience: options.audience } : {}) }),
  });
  const body = (await response.json()) as { token?: string; message?: string };
  if (!response.ok || !body.token) {
    out.write(`presso token: ${body.message ?? response.statusText}\n`);
    return 1;
  }
  out.write(`${body.token}\n`);
  return 0;
}
