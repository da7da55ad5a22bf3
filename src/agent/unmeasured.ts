import type { Finding } from '../finding.js';
import { describeFs } from './fills-first.js';
import type { SampledFs } from '../store/sampled-fs.js';

// disk.unmeasured: the agent cannot statfs a filesystem it samples (EACCES under a
// confined agent, EIO on a failing disk, the data root gone under it). Without usage
// there are no samples, no forecast and no GC when usage crosses --high: the agent would
// look healthy while the disk fills. So it is said in the log when it starts, changes or
// ends, and stands in /api/findings for as long as it lasts.

export interface Unmeasured {
  fs: SampledFs;
  /** The errno code, e.g. EACCES, or why there is nothing to ask statfs about. */
  error: string;
}

const same = (a: Unmeasured, b: Unmeasured): boolean => a.fs.role === b.fs.role && a.fs.path === b.fs.path;

/** Log lines for what changed between two samples; none when nothing did, so a lasting failure is said once. */
export function unmeasuredChanges(before: readonly Unmeasured[], after: readonly Unmeasured[]): string[] {
  const lines: string[] = [];
  for (const u of after) {
    const was = before.find((b) => same(b, u));
    if (!was || was.error !== u.error) {
      lines.push(`cannot measure ${describeFs(u.fs)} (${u.error}): its usage is not sampled and GC does not start when it crosses the high threshold, until it can be measured again`);
    }
  }
  for (const b of before) if (!after.some((u) => same(u, b))) lines.push(`measures ${describeFs(b.fs)} again`);
  return lines;
}

export function unmeasuredFinding(failures: readonly Unmeasured[]): Finding | null {
  if (failures.length === 0) return null;
  const what = failures.map((u) => describeFs(u.fs)).join(' and ');
  return {
    id: 'disk.unmeasured',
    severity: 'warning',
    title: `The agent cannot measure the filesystem of ${what}`,
    detail:
      'statfs fails, so the agent records no usage for it: no forecast, no disk.pressure, and GC does not start when usage crosses the high ' +
      'threshold. The disk can fill while the agent looks healthy.',
    evidence: failures.map((u) => `statfs ${u.fs.path}: ${u.error}`),
    fix: {
      summary: "Run the agent where it can see the engine's filesystems (as root on the host, or with the host's / mounted and --host-root), and check the disk.",
      commands: [...failures.map((u) => `stat -f ${u.fs.path}`), 'dmesg | tail -20'],
    },
  };
}
