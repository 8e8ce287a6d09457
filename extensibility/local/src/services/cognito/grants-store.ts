// Signed-in users stay signed in over a restart when the data directory is the user's own
// (--data-dir): the OAuth server's refresh tokens and sign-in sessions (by digest, with their expiry)
// are rewritten to <data-dir>/cognito/grants.json (temporary file, synced, renamed) after every
// change and read back at start, as users-store.ts does for the users. Expired ones are left out.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../states/journal.js';
import type { GrantsSnapshot, OAuthServer } from './oauth.js';

/** Loads the file into the server; returns the function that saves it (wire it to onChange). */
export function persistGrants(server: OAuthServer, file: string): () => void {
  if (existsSync(file)) server.load(readGrants(file));
  return () => {
    mkdirSync(dirname(file), { recursive: true });
    // Digests only, yet they name who is signed in: readable by the owner only.
    writeFileAtomic(file, [`${JSON.stringify(server.snapshot())}\n`], 0o600);
  };
}

function readGrants(file: string): GrantsSnapshot {
  const refuse = (why: string) =>
    new Error(
      `${file}: ${why}. It holds the user pools' refresh tokens and sign-in sessions; delete it and users sign in again.`,
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw refuse(`not JSON (${(e as Error).message})`);
  }
  const snapshot = parsed as Partial<GrantsSnapshot> | null;
  if (!snapshot || !Array.isArray(snapshot.refreshTokens) || !Array.isArray(snapshot.sessions))
    throw refuse('"refreshTokens" and "sessions" must be arrays');
  return { refreshTokens: snapshot.refreshTokens, sessions: snapshot.sessions };
}
