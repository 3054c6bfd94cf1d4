// The Node.js versions package.json promises (and the README repeats) are ones the locked packages
// accept: the service's own dependencies from 20.18.1 on, the test tools from 20.19 (22.13 on 22).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
type LockEntry = { dev?: boolean; engines?: { node?: string } | string[] };
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };

/** Locked packages (production ones only, or all) that refuse Node.js `version`. */
function refusing(version: string, withDev: boolean): string[] {
  return Object.entries(lock.packages).flatMap(([path, entry]) => {
    const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
    if (path === '' || !range || (entry.dev && !withDev)) return [];
    return semver.satisfies(version, range) ? [] : [`${path.replace(/^.*node_modules\//, '')} (${range})`];
  });
}

describe('engines', () => {
  it('promises Node.js 20.18 and later, as the README says', () => {
    expect(pkg.engines.node).toBe('>=20.18');
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain('Requires Node.js 20.18.1 or later');
    expect(readme).toContain('need 20.19 or later (on 22,\n22.13 or later)');
  });

  it.each(['20.18.1', '22.0.0', '24.0.0'])('every production package accepts Node.js %s', (version) => {
    expect(refusing(version, false)).toEqual([]);
  });

  it.each(['20.19.0', '22.13.0', '24.0.0'])('every package, test tools included, accepts Node.js %s', (version) => {
    expect(refusing(version, true)).toEqual([]);
  });

  it('runs on a promised version', () => {
    expect(semver.satisfies(process.version, pkg.engines.node)).toBe(true);
  });
});
