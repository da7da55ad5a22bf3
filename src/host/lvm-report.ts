import { errorCode, type HostProbe } from './host-probe.js';
import type { LvmFacts } from './local-facts.js';

// lvm2's JSON report (lvm2 >= 2.02.158, so CentOS 7.3+):
//   {
//       "report": [
//           {
//               "lv": [
//                   {"lv_name":"thinpool", "vg_name":"docker", "lv_attr":"twi-a-t---", "lv_size":"20396900352B", ...}
//               ]
//           }
//       ]
//   }
// Every value is a string ("" when not applicable); with --units b sizes end in "B".
// `--reportformat json_std` (lvm2 >= 2.03.17) writes numbers and null instead, and some
// versions print a "log" array beside "report"; both are accepted here.

export const LVS_ARGS = ['--reportformat', 'json', '-a', '--units', 'b', '-o', 'lv_name,vg_name,lv_attr,lv_size,data_percent,metadata_percent,pool_lv,seg_monitor'];
export const VGS_ARGS = ['--reportformat', 'json', '--units', 'b', '-o', 'vg_name,vg_size,vg_free'];

function asText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : String(value);
}

/** The rows of one kind (`lv`, `vg`, `pv`) in an lvm JSON report. Throws on text that is not one. */
export function parseLvmReport(output: string, kind: 'lv' | 'vg' | 'pv'): Array<Record<string, string>> {
  // Warnings ("WARNING: Running as a non-root user") belong on stderr, but old versions
  // printed some to stdout ahead of the JSON.
  const start = output.indexOf('{');
  if (start < 0) throw new Error('no JSON object in the output');
  const parsed: unknown = JSON.parse(output.slice(start));
  const reports = (parsed as { report?: unknown }).report;
  if (!Array.isArray(reports)) throw new Error('no "report" array in the output');
  const rows: Array<Record<string, string>> = [];
  for (const report of reports) {
    const list = (report as Record<string, unknown> | null)?.[kind];
    if (!Array.isArray(list)) continue;
    for (const row of list) {
      if (row === null || typeof row !== 'object') continue;
      rows.push(Object.fromEntries(Object.entries(row).map(([k, v]) => [k, asText(v)])));
    }
  }
  return rows;
}

async function report(probe: HostProbe, cmd: 'lvs' | 'vgs', args: string[], gaps: string[]): Promise<Array<Record<string, string>> | null> {
  const result = await probe.exec(cmd, args).catch((err: unknown) => {
    gaps.push(`${cmd} could not be run (${errorCode(err)}): thin pool details unknown.`);
    return undefined;
  });
  if (result === undefined) return null;
  if (result === null) {
    gaps.push(`${cmd} is not installed: thin pool details unknown.`);
    return null;
  }
  if (result.code !== 0) {
    const why = result.stderr.trim().split('\n').at(-1) || `exit ${result.code}`;
    gaps.push(`${cmd} failed (${why.trim()}): thin pool details unknown; lvm needs root, and --reportformat needs lvm2 2.02.158 or newer.`);
    return null;
  }
  try {
    return parseLvmReport(result.stdout, cmd === 'lvs' ? 'lv' : 'vg');
  } catch (err) {
    gaps.push(`${cmd} printed no readable JSON report (${(err as Error).message}): thin pool details unknown.`);
    return null;
  }
}

/** lvs and vgs rows; null (with gaps) when either cannot be had. */
export async function gatherLvm(probe: HostProbe, gaps: string[]): Promise<LvmFacts | null> {
  const lvs = await report(probe, 'lvs', LVS_ARGS, gaps);
  if (lvs === null) return null;
  const vgs = await report(probe, 'vgs', VGS_ARGS, gaps);
  return vgs === null ? null : { lvs, vgs };
}
