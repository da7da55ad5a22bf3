import { styleText } from 'node:util';
import type { DoctorReport } from '../doctor/doctor-report.js';
import { SEVERITY_ORDER, type Finding, type Severity } from '../finding.js';
import { PRODUCT_NAME } from '../core/engine-product.js';
import { formatBytes } from '../core/human-size.js';

// Human output of `dockwarden doctor`: findings grouped by severity, most severe first,
// each with its evidence and the commands of its fix. Colour only on a TTY.

type Paint = (style: Parameters<typeof styleText>[0], text: string) => string;

const LABEL: Record<Severity, { heading: string; mark: string; style: Parameters<typeof styleText>[0] }> = {
  critical: { heading: 'CRITICAL', mark: '✖', style: ['bold', 'red'] },
  warning: { heading: 'WARNING', mark: '▲', style: ['bold', 'yellow'] },
  info: { heading: 'INFO', mark: '●', style: ['bold', 'cyan'] },
};

function header(report: DoctorReport): string {
  const f = report.facts;
  const parts = [
    f.serverVersion ? `${PRODUCT_NAME[f.engine]} ${f.serverVersion}` : null,
    f.driver ? `${f.driver}${f.backingFilesystem ? ` on ${f.backingFilesystem}` : ''}` : null,
    f.dockerRootDir ? `root ${f.dockerRootDir}` : null,
    f.dataRootFs ? `${f.dataRootFs.usedPct}% of ${formatBytes(f.dataRootFs.sizeBytes)} used` : null,
  ].filter(Boolean);
  return `${f.name ?? f.endpoint}: ${parts.join(', ')}${imagesLine(f)}`;
}

/** Where images live, when that is not simply under the data root (containerd's image store). */
function imagesLine(f: DoctorReport['facts']): string {
  if (f.imageStore !== 'containerd') return '';
  if (!f.containerdRoot) return "; images in containerd's image store (its root is not known here)";
  const fs = f.containerdRootFs;
  const sameFs = fs && f.dataRootFs && fs.device === f.dataRootFs.device && fs.mountPoint === f.dataRootFs.mountPoint;
  const usage = !fs ? '' : sameFs ? ', same filesystem' : ` (${fs.fsType} on ${fs.device}, ${fs.usedPct}% of ${formatBytes(fs.sizeBytes)} used)`;
  return `; images in containerd's root ${f.containerdRoot}${usage}`;
}

function formatFinding(finding: Finding, paint: Paint): string[] {
  const label = LABEL[finding.severity];
  const lines = [`  ${paint(label.style, label.mark)} ${paint('bold', finding.title)}  ${paint('dim', finding.id)}`];
  lines.push(`    ${finding.detail}`);
  if (finding.evidence.length > 0) {
    lines.push(`    ${paint('dim', 'evidence:')}`);
    for (const e of finding.evidence) lines.push(`      ${e}`);
  }
  lines.push(`    ${paint('dim', 'fix:')} ${finding.fix.summary}`);
  for (const command of finding.fix.commands) {
    for (const [i, line] of command.split('\n').entries()) lines.push(`      ${i === 0 && !line.startsWith('#') ? '$ ' : '  '}${line}`);
  }
  return lines;
}

export function formatDoctor(report: DoctorReport, color: boolean): string {
  const paint: Paint = color ? (style, text) => styleText(style, text) : (_style, text) => text;
  const out = [header(report), ''];
  for (const severity of SEVERITY_ORDER) {
    const group = report.findings.filter((f) => f.severity === severity);
    if (group.length === 0) continue;
    out.push(paint(LABEL[severity].style, `${LABEL[severity].heading} (${group.length})`));
    for (const finding of group) out.push(...formatFinding(finding, paint), '');
  }
  if (report.findings.length === 0) out.push(paint(['bold', 'green'], '✔ No storage problems found.'), '');
  if (report.notChecked.length > 0) {
    out.push(paint('dim', `Not checked (${report.notChecked.length}):`));
    for (const n of report.notChecked) out.push(paint('dim', `  - ${n.id}: ${n.reason}`));
    out.push('');
  }
  for (const gap of report.gaps) out.push(paint('dim', `Note: ${gap}`));
  const count = (s: Severity) => report.findings.filter((f) => f.severity === s).length;
  out.push(`${count('critical')} critical, ${count('warning')} warning, ${count('info')} info.`);
  return out.join('\n');
}
