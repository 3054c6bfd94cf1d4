// The Node.js versions package.json promises (and the README repeats) are ones every locked
// package accepts, so `npm install` on them prints no EBADENGINE warning.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { engines?: { node?: string } | string[] }> };

/** The first version of each release line the range allows (20.19.0, 22.13.0, 24.0.0). */
function lowestOfEachLine(range: string): string[] {
  return new semver.Range(range).set.map((comparators) => semver.minVersion(new semver.Range(comparators.map((c) => c.value).join(' ')))!.version);
}

describe('engines', () => {
  const promised = lowestOfEachLine(pkg.engines.node);

  it('promises the Node.js lines the README names', () => {
    expect(promised).toEqual(['20.19.0', '22.13.0', '24.0.0']);
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain('Requires Node.js 20.19 or later (on 22, 22.13 or later)');
  });

  it.each(promised)('every locked package accepts Node.js %s', (version) => {
    const refusing = Object.entries(lock.packages).flatMap(([path, entry]) => {
      const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      return path !== '' && range && !semver.satisfies(version, range) ? [`${path.replace(/^.*node_modules\//, '')} (${range})`] : [];
    });
    expect(refusing).toEqual([]);
  });

  it('runs on a promised version', () => {
    expect(semver.satisfies(process.version, pkg.engines.node)).toBe(true);
  });
});
