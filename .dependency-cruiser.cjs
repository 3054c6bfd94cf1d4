// Architecture rules, checked by `npm test` (test/architecture.test.ts) and `npm run lint:architecture`.
//
// src/ has one folder per stage. A folder is used from outside only through its entry, index.ts;
// a sub-folder (src/render/pool, src/ingest/sync, src/store/sqlite, ...) is reached from outside
// only through its parent's entry, and from the rest of its parent through its own index.ts when
// it has one. A sub-folder without index.ts (src/server/routes, src/store/rules) is a plain group
// of its parent's files.
const { existsSync, readdirSync } = require('node:fs');
const { join } = require('node:path');

const SRC = join(__dirname, 'src');

/** `src/<folder>/<sub-folder>` for every sub-folder with an index.ts of its own. */
function subFoldersWithEntry() {
  const found = [];
  for (const top of readdirSync(SRC, { withFileTypes: true })) {
    if (!top.isDirectory()) continue;
    for (const sub of readdirSync(join(SRC, top.name), { withFileTypes: true })) {
      if (sub.isDirectory() && existsSync(join(SRC, top.name, sub.name, 'index.ts'))) found.push(`src/${top.name}/${sub.name}`);
    }
  }
  return found;
}

// src/cli/commands/index.ts is the command table (each command's module loads when it runs),
// not a front for the folder: main.ts runs commands/help.ts itself.
const NOT_AN_ENTRY = new Set(['src/cli/commands']);

const escape = (path) => path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

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
      name: 'entry-only',
      comment: 'The files at the top of src/ (the package entry) use the folders through their entries too.',
      severity: 'error',
      from: { path: '^src/[^/]+$' },
      to: { path: '^src/[^/]+/', pathNot: '^src/[^/]+/index\\.ts$' },
    },
    ...subFoldersWithEntry()
      .filter((sub) => !NOT_AN_ENTRY.has(sub))
      .map((sub) => ({
        name: 'sub-folder-entry',
        comment: `The rest of ${sub.split('/')[1]} uses ${sub} only through ${sub}/index.ts.`,
        severity: 'error',
        from: { path: `^${escape(sub.slice(0, sub.lastIndexOf('/')))}/`, pathNot: `^${escape(sub)}/` },
        to: { path: `^${escape(sub)}/`, pathNot: `^${escape(sub)}/index\\.ts$` },
      })),
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
    // The editor's browser code: served as files, never imported by the service.
    exclude: { path: '^src/editor/public/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
