// Everything a command touches of its process: output streams, environment, working directory
// and standard input. Injected, so the whole command line runs in-process in tests.
import { isAbsolute, resolve } from 'node:path';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: Record<string, string | undefined>;
  /** Redraws one status line in place; set only when stderr is a terminal (else progress goes out as lines). */
  status?(line: string): void;
  /** Relative paths of arguments and of LIQUIDHOOK_DB / LIQUIDHOOK_TEMPLATES_DIR are resolved against it. */
  cwd: string;
  /** Read where a command accepts `-` as a file (e.g. `--attrs-file -`). */
  stdin: AsyncIterable<string | Buffer>;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  env: process.env,
  ...(process.stderr.isTTY ? { status: (line: string) => process.stderr.write(`\r\x1b[2K${line}`) } : {}),
  cwd: process.cwd(),
  stdin: process.stdin,
};

export function printJson(io: CliIo, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}

/** `path` as the user meant it: relative to the command's working directory. */
export function pathIn(io: Pick<CliIo, 'cwd'>, path: string): string {
  return isAbsolute(path) ? path : resolve(io.cwd, path);
}

export async function readStdin(io: Pick<CliIo, 'stdin'>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}
