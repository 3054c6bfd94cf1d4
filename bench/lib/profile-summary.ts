// Summarises a .cpuprofile (node --cpu-prof): self time by function and by source file, so a
// benchmark run can name its hot spots without a GUI.
//   npx tsx bench/lib/profile-summary.ts <file.cpuprofile> [top=25]
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface HotSpot {
  name: string;
  selfMs: number;
  share: number;
}

export function summariseProfile(profile: CpuProfile, top = 25): { byFunction: HotSpot[]; byFile: HotSpot[]; totalMs: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const shortUrl = url.replace(/^file:\/\//, '').replace(/^.*?\/(node_modules|src|bench|test)\//, '$1/');
    const fnKey = `${functionName || '(anonymous)'} ${shortUrl}:${lineNumber + 1}`;
    fn.set(fnKey, (fn.get(fnKey) ?? 0) + us);
    const fileKey = shortUrl === '' ? `(${functionName})` : shortUrl.startsWith('node_modules/') ? shortUrl.split('/').slice(0, 2).join('/') : shortUrl;
    file.set(fileKey, (file.get(fileKey) ?? 0) + us);
    total += us;
  }
  const rank = (m: Map<string, number>): HotSpot[] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, selfMs: us / 1000, share: us / total }));
  return { byFunction: rank(fn), byFile: rank(file), totalMs: total / 1000 };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const summary = summariseProfile(JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as CpuProfile, Number(process.argv[3] ?? 25));
  const print = (title: string, rows: HotSpot[]): void => {
    console.log(`\n${title} (total ${summary.totalMs.toFixed(0)} ms sampled)`);
    for (const r of rows) console.log(`${(r.share * 100).toFixed(1).padStart(5)}%  ${r.selfMs.toFixed(0).padStart(6)} ms  ${r.name}`);
  };
  print('self time by file/package', summary.byFile);
  print('self time by function', summary.byFunction);
}
