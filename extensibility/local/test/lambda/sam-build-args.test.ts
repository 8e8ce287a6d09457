// The esbuild command line `sam build` runs for a function's BuildProperties, as aws-lambda-builders
// builds it (EsbuildCommandBuilder): entry points, its defaults, then every property in order.
import { describe, expect, it } from '@jest/globals';
import { samEsbuildArgs, snakeCase } from '../../src/services/lambda/runtime/sam-build.js';

describe("sam build's esbuild arguments", () => {
  it("takes SAM CLI's snake_case of each BuildProperties key", () => {
    expect(['EntryPoints', 'OutExtension', 'Minify', 'MainFields', 'Target'].map(snakeCase)).toEqual([
      'entry_points',
      'out_extension',
      'minify',
      'main_fields',
      'target',
    ]);
  });

  it("builds the core's command: booleans as --flag, strings as --key=value, lists as --key:item", () => {
    expect(
      samEsbuildArgs(
        {
          Format: 'esm',
          Platform: 'node',
          Target: 'node24',
          Minify: true,
          Sourcemap: true,
          OutExtension: ['.js=.mjs'],
          Banner: ['js=import { createRequire } from "node:module";'],
          EntryPoints: ['src/handlers/config/http.ts'],
        },
        '/out',
      ),
    ).toEqual([
      'src/handlers/config/http.ts',
      '--bundle',
      '--platform=node',
      '--outdir=/out',
      '--format=esm',
      '--target=node24',
      '--minify',
      '--sourcemap',
      '--out-extension:.js=.mjs',
      '--banner:js=import { createRequire } from "node:module";',
    ]);
  });

  it('adds the defaults a template leaves out, and drops a false boolean', () => {
    expect(samEsbuildArgs({ EntryPoints: ['app.ts'], Sourcemap: false, External: ['@aws-sdk/*'] }, 'o')).toEqual([
      'app.ts',
      '--bundle',
      '--platform=node',
      '--outdir=o',
      '--target=es2020',
      '--format=cjs',
      '--minify',
      '--external:@aws-sdk/*',
    ]);
  });

  it('refuses a function without entry points, as sam build does', () => {
    expect(() => samEsbuildArgs({ Format: 'esm' }, 'o')).toThrow(
      'BuildProperties.EntryPoints must be a non-empty list of paths',
    );
  });
});
