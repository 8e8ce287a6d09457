// The player app as tests deploy it: the real folder, or a copy of its template and code with another
// archive as archive/session.json (which is how anyone replays another session). Copies live under
// .aws-sam/ (ignored by git), inside the workspace so esbuild finds node_modules as for the real one.
// Other workspaces' tests import it as @serverlesspresso/event-player/test-app.
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export const playerDir = new URL('..', import.meta.url).pathname;
/** The hand-made session archive the tests replay (34 events, 8 minutes). */
export const sessionFixture = join(playerDir, 'test', 'fixtures', 'session.fixture.json');

export function playerWithArchive(name: string, archiveFile: string): { dir: string; remove(): void } {
  const dir = join(playerDir, '.aws-sam', 'test-apps', name);
  rmSync(dir, { recursive: true, force: true });
  for (const part of ['template.yaml', 'package.json', 'src', 'statemachine'])
    cpSync(join(playerDir, part), join(dir, part), { recursive: true });
  mkdirSync(join(dir, 'archive'));
  cpSync(archiveFile, join(dir, 'archive', 'session.json'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
