// Architecture rules, checked by `npm test` (test/architecture.test.ts) and `npm run lint:arch`.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-folder-cycles',
      comment: 'Stages depend one way: a folder never imports, even indirectly, a folder that imports it.',
      severity: 'error',
      scope: 'folder',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'entry-only',
      comment: "Another folder is used only through its entry (index.ts), so a folder's inside can change freely.",
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: { path: '^src/[^/]+/', pathNot: ['^src/$1/', '^src/[^/]+/index\\.ts$'] },
    },
    {
      name: 'liquid-is-a-library',
      comment: 'src/liquid is the Braze-dialect engine, usable without the service: it imports nothing else of src/.',
      severity: 'error',
      from: { path: '^src/liquid/' },
      to: { path: '^src/', pathNot: '^src/liquid/' },
    },
    {
      name: 'storage-below-server',
      comment: 'Storage knows nothing of the HTTP server, the editor or the CLI.',
      severity: 'error',
      from: { path: '^src/store/' },
      to: { path: '^src/(server|editor|cli)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/editor/public/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
