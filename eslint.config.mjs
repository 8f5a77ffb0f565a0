import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

// Architecture rules: apps are thin and import only libs; role libs meet only on the bus,
// never import each other; shared libs are layered (observability at the bottom).
export default [
  { ignores: ['**/dist/**', '**/node_modules/**', '**/*.d.ts', '.nx/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          // The TCP bus (`@nats-ts/bus/tcp`) and TLS (`@nats-ts/server-link/tls`) entries are imported on
          // demand beside their libs' static entries.
          checkDynamicDependenciesExceptions: ['@nats-ts/bus', '@nats-ts/server-link'],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            // Tools (bench, stack, fuzz) drive servers from outside; they may share code and use libs.
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:tool', 'type:lib'] },
            { sourceTag: 'layer:base', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'layer:observability', onlyDependOnLibsWithTags: ['layer:observability'] },
            { sourceTag: 'layer:protocol', onlyDependOnLibsWithTags: ['layer:base', 'layer:observability'] },
            { sourceTag: 'layer:config', onlyDependOnLibsWithTags: ['layer:base', 'layer:observability'] },
            { sourceTag: 'layer:auth', onlyDependOnLibsWithTags: ['layer:config', 'layer:base', 'layer:observability'] },
            { sourceTag: 'layer:bus', onlyDependOnLibsWithTags: ['layer:routing', 'layer:base', 'layer:observability'] },
            { sourceTag: 'layer:link', onlyDependOnLibsWithTags: ['layer:protocol', 'layer:base', 'layer:observability'] },
            { sourceTag: 'layer:lifecycle', onlyDependOnLibsWithTags: ['layer:bus', 'layer:config', 'layer:base', 'layer:observability'] },
            { sourceTag: 'layer:routing', onlyDependOnLibsWithTags: ['layer:base', 'layer:observability'] },
            {
              sourceTag: 'layer:role',
              onlyDependOnLibsWithTags: ['layer:base', 'layer:protocol', 'layer:routing', 'layer:auth', 'layer:bus', 'layer:config', 'layer:lifecycle', 'layer:link', 'layer:observability'],
            },
            // A role's own app starts that role only; apps/server composes them all.
            { sourceTag: 'app:client-gateway', onlyDependOnLibsWithTags: ['scope:client-gateway', 'layer:lifecycle'] },
            { sourceTag: 'app:route-mesh', onlyDependOnLibsWithTags: ['scope:route-mesh', 'layer:lifecycle'] },
            { sourceTag: 'app:leaf-proxy', onlyDependOnLibsWithTags: ['scope:leaf-proxy', 'layer:lifecycle'] },
            { sourceTag: 'app:supercluster-gateway', onlyDependOnLibsWithTags: ['scope:supercluster-gateway', 'layer:lifecycle'] },
            { sourceTag: 'app:stream-store', onlyDependOnLibsWithTags: ['scope:stream-store', 'layer:lifecycle'] },
          ],
        },
      ],
    },
  },
];
