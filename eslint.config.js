// One flat config for every workspace: typescript-eslint's recommended rules, no type information
// (fast; tsc already type-checks every workspace before lint runs).
import { dirname, join, resolve, sep } from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { root, workspaceDirs as listWorkspaces } from './.ci/workspaces.js';

// Workspaces meet through their packages only: a relative import must stay inside its own workspace
// (what another workspace offers is exported by it and declared as a dependency).
const workspaceDirs = listWorkspaces().map((dir) => join(root, dir));
const workspaceOf = (path) => workspaceDirs.find((dir) => path === dir || path.startsWith(dir + sep));
const workspaces = {
  rules: {
    'no-cross-workspace-import': {
      meta: {
        type: 'problem',
        messages: {
          cross: "'{{source}}' reaches into {{target}}: import that workspace's package, which exports what it shares.",
        },
      },
      create(context) {
        const own = workspaceOf(context.filename);
        const check = (node) => {
          const source = node.source?.value;
          if (typeof source !== 'string' || !source.startsWith('.')) return;
          const target = workspaceOf(resolve(dirname(context.filename), source));
          if (target !== own)
            context.report({
              node: node.source,
              messageId: 'cross',
              data: { source, target: target ? target.slice(root.length + 1) : 'a folder of no workspace' },
            });
        };
        return {
          ImportDeclaration: check,
          ExportNamedDeclaration: check,
          ExportAllDeclaration: check,
          ImportExpression: check,
        };
      },
    },
  },
};

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/.aws-sam/**', '**/dist/**', '**/.presso/**', '**/coverage/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { workspaces },
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        structuredClone: 'readonly',
        fetch: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'workspaces/no-cross-workspace-import': 'error',
    },
  },
  {
    // The web apps' code runs in browsers: no Node modules (tests may use them; the module takes
    // what differs, fetch, WebSocket, crypto, storage, timers, as options or from the globals).
    files: ['frontends/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'frontends/src runs in browsers: use web APIs (fetch, crypto.subtle...).' },
          ],
        },
      ],
    },
  },
  {
    // Domain code is pure: it decides from its arguments alone, so it is unit-tested without AWS,
    // environment or clock. Adapters and handlers read those and pass them in.
    files: ['**/src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@aws-sdk/*'], message: 'domain code is pure: call AWS from an adapter.' }] },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'domain code is pure: read configuration in the handler.' },
        { object: 'Date', property: 'now', message: 'domain code is pure: take the time as an argument.' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'domain code is pure: take the time as an argument.',
        },
        {
          selector: "CallExpression[callee.object.name='performance'][callee.property.name='now']",
          message: 'domain code is pure: take the time as an argument.',
        },
      ],
    },
  },
);
