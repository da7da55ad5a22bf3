import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import type { FleetRow } from '../web/fleet.js';
import type { CliIo } from './cli-io.js';

// `dockwarden fleet --hosts FILE`: every agent's /api/summary in one table, for a shell
// or a cron job. Exits like doctor across the fleet: 2 when any host is critical or
// cannot be reached, 1 for a warning, 0 when all are healthy.

function row(r: FleetRow): string[] {
  const s = r.summary;
  if (!s) return [r.url, 'UNREACHABLE', '-', '-', r.error ?? ''];
  const usage = s.usedPct === null ? '-' : `${s.usedPct.toFixed(1)}%`;
  const full = s.fullInSeconds === null ? '-' : `${(s.fullInSeconds / 3600).toFixed(1)} h`;
  const worst = s.worst ? `${s.worst.severity}: ${s.worst.id}` : s.engineUp ? 'healthy' : 'engine down';
  return [s.host, worst, usage, full, r.url];
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function fleetExitCode(rows: FleetRow[]): number {
  if (rows.some((r) => !r.summary || r.summary.findings.critical > 0 || !r.summary.engineUp)) return 2;
  return rows.some((r) => r.summary!.findings.warning > 0) ? 1 : 0;
}

export function addFleetCommand(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('fleet')
    .description("every agent's worst finding, usage and forecast in one table; exit 2 critical or unreachable, 1 warning, 0 healthy")
    .requiredOption('--hosts <file>', 'one agent per line: URL [TOKEN] (default token: DOCKWARDEN_PEER_TOKEN, else DOCKWARDEN_TOKEN)')
    .option('--timeout <seconds>', 'how long to wait for each agent', '5')
    .option('--json', 'JSON output: {hosts: [{url, summary, error}]}')
    .action(async (flags: { hosts: string; timeout: string; json?: boolean }) => {
      const global = program.opts<{ json?: boolean }>();
      const timeoutMs = Number(flags.timeout) * 1000;
      if (!(timeoutMs > 0)) throw new UsageError(`--timeout must be a number of seconds, not "${flags.timeout}".`);
      const text = await readFile(flags.hosts, 'utf8').catch((err: NodeJS.ErrnoException) => {
        throw new UsageError(`--hosts ${flags.hosts} cannot be read (${err.code ?? err.message}).`);
      });
      const { fleetRows, parseHostsFile } = await import('../web/fleet.js');
      const { peers, errors } = parseHostsFile(text, io.env['DOCKWARDEN_PEER_TOKEN'] ?? io.env['DOCKWARDEN_TOKEN'] ?? null);
      if (errors.length > 0) throw new UsageError(`--hosts ${flags.hosts}: ${errors.join('; ')}.`);
      if (peers.length === 0) throw new UsageError(`--hosts ${flags.hosts} lists no agents: one per line, URL [TOKEN].`);
      const rows = await fleetRows(peers, { timeoutMs });
      if (global.json || flags.json) io.stdout(`${JSON.stringify({ hosts: rows }, null, 2)}\n`);
      else io.stdout(`${table([['HOST', 'WORST', 'USAGE', 'FULL IN', 'AGENT'], ...rows.map(row)])}\n`);
      setExit(fleetExitCode(rows));
    });
}
