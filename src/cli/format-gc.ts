import { formatBytes } from '../core/human-size.js';
import type { GcReport, GcReportImage } from '../gc/gc-report.js';

// `dockwarden gc` for people: the situation in a sentence, then what went and what
// stayed, each with its reason, then the usage measured afterwards.

function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length)));
  return rows.map((r) => `  ${r.map((cell, col) => (col === r.length - 1 ? cell : cell.padEnd(widths[col]!))).join('  ')}`.trimEnd());
}

function images(list: GcReportImage[], bytesHeader: string): string[] {
  const rows = list.map((i) => [shortId(i.id), i.tags.join(', ') || '<none>', formatBytes(i.bytes), i.reason]);
  return table([['IMAGE', 'TAGS', bytesHeader, 'REASON'], ...rows]);
}

function level(l: GcReport['after']): string {
  return l.usedPct !== null ? `${l.usedPct.toFixed(1)}% used` : `images take ${formatBytes(l.imageBytes ?? 0)}`;
}

export function formatGc(r: GcReport): string {
  const out: string[] = [r.summary, ''];
  if (r.containers) out.push(`${r.dryRun ? 'Would remove' : 'Removed'} ${r.containers.removed} stopped containers${r.containers.bytes !== null ? ` (${formatBytes(r.containers.bytes)})` : ''}.`);
  if (r.buildCache) out.push(`${r.dryRun ? 'Would prune' : 'Pruned'} ${formatBytes(r.buildCache.bytes)} of build cache.`);
  const freed = r.deleted.reduce((s, d) => s + d.bytes, 0);
  if (r.deleted.length > 0) {
    out.push(`${r.dryRun ? 'WOULD DELETE' : 'DELETED'} ${r.deleted.length} images (about ${formatBytes(freed)})`, ...images(r.deleted, 'FREES'), '');
  }
  if (r.kept.length > 0) out.push(`KEPT ${r.kept.length} images`, ...images(r.kept, 'OWN BYTES'), '');
  for (const f of r.failed) out.push(`FAILED ${shortId(f.id)} (${f.tags.join(', ') || '<none>'}): ${f.error}`);
  for (const u of r.unplanned) out.push(`UNPLANNED ${shortId(u.id)} (${u.tags.join(', ') || '<none>'}): ${u.effect}`);
  for (const n of r.notes) out.push(`Note: ${n}`);
  const verdict = r.reachedTarget ? '' : ' — above the target';
  out.push(`Before: ${level(r.before)}. After${r.dryRun ? ' (predicted)' : ''}: ${level(r.after)}${verdict}.`);
  return out.join('\n');
}
