// Who may read the metrics: members of the admin group of the coffee bar's user pool. API Gateway's
// JWT authorizer has verified the token (issuer and audience are template parameters); groups are not
// checked by API Gateway, so the function reads cognito:groups itself.

/**
 * The cognito:groups claim in the forms it arrives in: a JSON array (the token), the text HTTP APIs
 * make of an array claim ("[admin barista]"), or a bare name.
 */
export function groupsOf(claim: unknown): string[] {
  if (Array.isArray(claim)) return claim.filter((g): g is string => typeof g === 'string' && g !== '');
  if (typeof claim !== 'string') return [];
  const text = claim.trim();
  if (text.startsWith('["')) {
    try {
      return groupsOf(JSON.parse(text));
    } catch {
      // not JSON after all: read it as the bracketed form below
    }
  }
  return text
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .filter((g) => g !== '');
}

export const ADMIN_GROUP = 'admin';

export const isAdmin = (claims: Record<string, unknown> | undefined): boolean =>
  groupsOf(claims?.['cognito:groups']).includes(ADMIN_GROUP);
