// The Node check that presso, `npm test` and `npm run bench` run first: the repo's Node passes, any
// other major stops them with where the right Node comes from.
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const script = new URL('../bin/check-node.js', import.meta.url);
const { wrongNode, pinnedNode } = (await import(script.href)) as {
  wrongNode: (version?: string, execPath?: string) => string | undefined;
  pinnedNode: () => { version: string; platforms: string[] };
};

describe('check-node', () => {
  it('lets the Node running the tests through (the repo Node), as a script too', async () => {
    expect(wrongNode()).toBeUndefined();
    await expect(promisify(execFile)(process.execPath, [script.pathname])).resolves.toMatchObject({ stderr: '' });
  });

  it('stops another major, naming the pinned release and this Node', () => {
    const { version } = pinnedNode();
    const major = Number(version.split('.')[0]);
    const why = wrongNode(`${major - 4}.20.2`, '/usr/bin/node');
    expect(why).toContain(`runs on Node ${major} (${version}), not on this Node v${major - 4}.20.2 (/usr/bin/node)`);
    // Where the right Node comes from: npm on the pinned platforms, the user elsewhere.
    const platform = `${process.platform}-${process.arch}`;
    expect(why).toContain(pinnedNode().platforms.includes(platform) ? '`npm ci` installs it' : `install Node ${major}`);
  });
});
