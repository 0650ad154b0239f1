import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// @grafana/eslint-config is a dependency of the plugin workspace: resolve it from there.
const fromPlugin = createRequire(new URL('./grafana-plugin/package.json', import.meta.url));
const { default: grafanaConfig } = await import(pathToFileURL(fromPlugin.resolve('@grafana/eslint-config')).href);

const PLUGIN = ['grafana-plugin/**/*.{ts,tsx}'];

/** The repository's own rules, for every workspace. */
const repoRules = {
  '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
  'no-constant-condition': ['error', { checkLoops: false }],
};

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      'exporter/test/fixtures/**',
      '**/*.js',
      // Scaffolding from @grafana/create-plugin (extended, never edited) and build output.
      'grafana-plugin/.config/**',
      'grafana-plugin/test/browser/.build/**',
      'grafana-plugin/test-artifacts/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { rules: repoRules },
  // The Grafana plugin: Grafana's own config (@grafana/eslint-config: React, hooks, jsdoc, style)
  // on top of the repository's rules, as create-plugin sets it up.
  ...grafanaConfig.map((config) => ({ ...config, files: PLUGIN })),
  {
    files: PLUGIN,
    rules: {
      ...repoRules,
      // TypeScript checks props; React 17+ needs no React in scope for JSX.
      'react/prop-types': 'off',
      'react/react-in-jsx-scope': 'off',
    },
  },
);
