import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { formatDuration } from '../core/duration.js';
import { UsageError } from '../core/errors.js';
import { sampleUsedPercent } from '../core/thresholds.js';
import type { Finding } from '../finding.js';
import { formatBytes } from '../core/human-size.js';
import type { UsageSample } from '../store/agent-store.js';
import { DEFAULT_DB } from './defaults.js';
import type { CliIo } from './cli-io.js';

// `dockwarden status`: what the agent knows now — its open findings and the latest usage —
// asked of the running agent over HTTP, or read from its store when it is not running
// (or with --db). Exit codes as doctor's: 2 critical, 1 warning, 0 fine, 3 neither source.

interface StatusFlags {
  url: string;
  token?: string;
  db?: string;
  json?: boolean;
}

export interface StatusReport {
  source: string;
  findings: (Finding & { firstSeen: string; lastSeen: string })[];
  latest: UsageSample | null;
  fullInSeconds: number | null;
}

async function fromAgent(url: string, token: string | null): Promise<StatusReport | null> {
  const get = async (path: string): Promise<unknown> => {
    const res = await fetch(`${url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(10_000) });
    const body = (await res.json().catch(() => ({}))) as { error?: string };
    if (res.status === 401) throw new UsageError(`The agent at ${url} wants a token: pass --token or set DOCKWARDEN_TOKEN.`);
    if (!res.ok) throw new UsageError(`The agent at ${url} answered ${res.status} to ${path}: ${body.error ?? 'no message'}`);
    return body;
  };
  try {
    const findings = (await get('/api/findings')) as { findings: StatusReport['findings'] };
    const usage = (await get('/api/usage?since=1h&points=60')) as { samples: UsageSample[]; fullInSeconds: number | null };
    return { source: url, findings: findings.findings, latest: usage.samples.at(-1) ?? null, fullInSeconds: usage.fullInSeconds };
  } catch (err) {
    if (err instanceof UsageError) throw err;
    return null; // not running (or not reachable): the caller tries the store
  }
}

async function fromStore(path: string, now: number): Promise<StatusReport> {
  const [{ openStore }, { DEFAULT_FORECAST_WINDOW_MS }, { fillsFirst }] = await Promise.all([import('../store/sqlite-store.js'), import('../agent/forecast.js'), import('../agent/fills-first.js')]);
  const store = openStore(path, { now: () => now, access: 'reader' });
  try {
    const samples = store.samples(now - DEFAULT_FORECAST_WINDOW_MS, now);
    return {
      source: path,
      findings: store.openFindings().map((f) => ({ ...f.finding, firstSeen: new Date(f.firstSeen).toISOString(), lastSeen: new Date(f.lastSeen).toISOString() })),
      latest: samples.at(-1) ?? store.samples(now - 7 * 86_400_000, now).at(-1) ?? null,
      // The store keeps readings by role, not where each filesystem is mounted: enough for when.
      fullInSeconds:
        fillsFirst(
          samples,
          [
            { role: 'data-root', path: '', mountPoint: '' },
            { role: 'containerd-root', path: '', mountPoint: '' },
          ],
          now,
        )?.seconds ?? null,
    };
  } finally {
    store.close();
  }
}

function format(r: StatusReport, now: number): string {
  const lines = [`From ${r.source}:`];
  const s = r.latest;
  if (s) {
    const pct = sampleUsedPercent(s);
    const used = pct !== null ? `${pct.toFixed(1)}% used, ${formatBytes(s.fsAvailBytes!)} free` : 'filesystem not measured';
    const full = r.fullInSeconds === null ? 'not filling' : `full in about ${formatDuration(r.fullInSeconds * 1000)}`;
    lines.push(
      `  data root: ${used}; ${full}; ${Math.round(s.images)} images, ${Math.round(s.containersRunning)}/${Math.round(s.containers)} containers running (sampled ${formatDuration(now - s.at)} ago)`,
    );
    const containerdPct = sampleUsedPercent({ fsSizeBytes: s.containerdFsSizeBytes ?? null, fsAvailBytes: s.containerdFsAvailBytes ?? null });
    if (containerdPct !== null) lines.push(`  containerd's root (where images live): ${containerdPct.toFixed(1)}% used, ${formatBytes(s.containerdFsAvailBytes!)} free`);
  } else lines.push('  no usage sample yet');
  if (r.findings.length === 0) lines.push('  no open findings');
  for (const f of r.findings) lines.push(`  ${f.severity.toUpperCase().padEnd(8)} ${f.id}: ${f.title} (since ${f.firstSeen})`);
  return lines.join('\n');
}

export function addStatusCommand(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('status')
    .description("print the agent's open findings and latest usage; exit 2 critical, 1 warning, 0 fine")
    .option('--url <url>', 'the running agent', 'http://127.0.0.1:9476')
    .option('--token <token>', 'bearer token (default: DOCKWARDEN_TOKEN)')
    .option('--db <file>', `read this store instead of asking the agent (default when no agent answers: ${DEFAULT_DB})`)
    .option('--json', 'JSON output: {source, findings, latest, fullInSeconds}')
    .action(async (flags: StatusFlags) => {
      const now = io.now().getTime();
      let report = flags.db ? null : await fromAgent(flags.url.replace(/\/+$/, ''), flags.token ?? io.env['DOCKWARDEN_TOKEN'] ?? null);
      if (!report) {
        const path = flags.db ?? DEFAULT_DB;
        if (!existsSync(path)) throw new UsageError(`No agent answers at ${flags.url} and there is no store at ${path}: start \`dockwarden agent\`, or point --url or --db at one.`);
        report = await fromStore(path, now);
      }
      if (program.opts<{ json?: boolean }>().json || flags.json) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
      else io.stdout(`${format(report, now)}\n`);
      const severities = new Set(report.findings.map((f) => f.severity));
      setExit(severities.has('critical') ? 2 : severities.has('warning') ? 1 : 0);
    });
}
