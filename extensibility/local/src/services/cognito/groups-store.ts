// Groups made at run time (CreateGroup) outlive a restart when the data directory is the user's own
// (--data-dir): they are rewritten to <data-dir>/cognito/groups.json (temporary file, synced,
// renamed) after every change and read back at start, as users-store.ts does for the users (and
// their memberships). A template's groups come back with its stack; a kept group joins its pool
// when the stack that makes the pool is deployed again.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../states/journal.js';
import type { CognitoIdentityProviderService, GroupsSnapshot } from './api.js';

/** Loads the file into the service; returns the function that saves it (wire it to onChange). */
export function persistGroups(service: CognitoIdentityProviderService, file: string): () => void {
  if (existsSync(file)) {
    let snapshot: Partial<GroupsSnapshot> | null;
    try {
      snapshot = JSON.parse(readFileSync(file, 'utf8')) as Partial<GroupsSnapshot> | null;
    } catch (e) {
      throw new Error(
        `${file}: not JSON (${(e as Error).message}). It holds the user pools' groups made with CreateGroup; delete it and create them again.`,
      );
    }
    if (!snapshot || !Array.isArray(snapshot.groups))
      throw new Error(
        `${file}: "groups" must be an array. It holds the user pools' groups made with CreateGroup; delete it and create them again.`,
      );
    service.loadGroups({ groups: snapshot.groups });
  }
  return () => {
    mkdirSync(dirname(file), { recursive: true });
    writeFileAtomic(file, [`${JSON.stringify(service.groupsSnapshot())}\n`]);
  };
}
