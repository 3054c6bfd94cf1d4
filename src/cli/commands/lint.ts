// `liquidhook lint FILES...`: checks templates kept in a repository so CI can gate changes.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCommandArgs } from '../args.js';
import type { Command } from '../command.js';
import { UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { pathIn, printJson, type CliIo } from '../io.js';
import { LINT_RULES, lintTemplateText, type Finding, type LintRule } from '../lint/lint-file.js';
import { readTemplateText } from '../template-input.js';

const HELP = `Usage: liquidhook lint FILE|DIR... [--json] [--disable RULE]...

Checks .webhook.liquid files and plain .liquid templates (directories are searched recursively)
and prints one line per finding as FILE:LINE:COLUMN: severity rule: message.
Exits 4 when any finding is an error, 1 when a file cannot be read, 0 otherwise.

Rules:
  syntax              (error)   the file format or the Liquid does not parse
  unsupported-filter  (error)   a Shopify filter Braze does not support (money_with_currency,
                                lstrip, img_url, link_to, color and font filters, ...)
  engine-only-filter  (warning) a liquidjs/Jekyll filter that works here but not in Braze
  unknown-filter      (warning) a filter nobody defines: it passes its input through
  unknown-attribute   (error)   \${name} that is not a Braze default attribute (renders blank);
                      (warning) ns.\${name} under a namespace Braze does not have
  render-error        (error)   rendering fails for a sample recipient
  invalid-json-body   (error)   Content-Type is JSON but the body is not valid JSON for a sample
                                recipient (attributes high, low, missing, or text with quotes)
  content-block       (error)   {{content_blocks.\${name}}} names no block in content-blocks/ next
                                to the file, or a block would include itself
Sample renders answer connected_content with a stub, fill placeholders with sample values and
include the content blocks of content-blocks/ next to the file.

Options:
  --disable RULE   skip a rule (repeatable)
  --json           {files, errors, warnings, findings: [{file, line, column, severity, rule, message}]}
  -h, --help       show this help
`;

export const lintCommand: Command = {
  name: 'lint',
  help: HELP,
  async run(argv, io) {
    const args = parseCommandArgs(argv, { disable: { type: 'string', multiple: true } });
    if (args.help) {
      io.out(HELP);
      return EXIT.OK;
    }
    if (args.positionals.length === 0) throw new UsageError('lint needs at least one FILE or DIR');
    const disabled = new Set(args.strings('disable'));
    for (const rule of disabled) {
      if (!(LINT_RULES as readonly string[]).includes(rule)) throw new UsageError(`--disable: unknown rule "${rule}" (rules: ${LINT_RULES.join(', ')})`);
    }
    const files = await expandPaths(args.positionals, io);
    if (files.length === 0) throw new UsageError(`no .liquid files in ${args.positionals.join(', ')}`);
    const findings: Finding[] = [];
    for (const file of files) {
      const text = await readTemplateText(file, io);
      findings.push(...(await lintTemplateText(file, text)).filter((f) => !disabled.has(f.rule as LintRule)));
    }
    findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
    const errors = findings.filter((f) => f.severity === 'error').length;
    const warnings = findings.length - errors;
    if (args.json) {
      printJson(io, { files: files.length, errors, warnings, findings });
    } else {
      for (const f of findings) io.out(`${f.file}:${f.line}:${f.column}: ${f.severity} ${f.rule}: ${f.message}`);
      io.err(`${files.length} file(s) checked: ${errors} error(s), ${warnings} warning(s)`);
    }
    return errors > 0 ? EXIT.LINT_FINDINGS : EXIT.OK;
  },
};

/** Files as given, and every *.liquid file under given directories (sorted, no dot folders). */
async function expandPaths(paths: string[], io: Pick<CliIo, 'cwd'>): Promise<string[]> {
  const out: string[] = [];
  for (const path of paths) {
    const info = await stat(pathIn(io, path)).catch(() => undefined);
    if (info?.isDirectory()) out.push(...(await liquidFilesUnder(path, io)));
    else out.push(path); // a missing file is reported when it is read
  }
  return [...new Set(out)];
}

/** Paths under `dir` as the user wrote `dir`, read relative to the working directory. */
async function liquidFilesUnder(dir: string, io: Pick<CliIo, 'cwd'>): Promise<string[]> {
  const entries = await readdir(pathIn(io, dir), { withFileTypes: true });
  const out: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await liquidFilesUnder(path, io)));
    else if (entry.name.endsWith('.liquid')) out.push(path);
  }
  return out;
}
