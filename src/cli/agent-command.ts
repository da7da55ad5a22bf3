import type { Command } from 'commander';
import { DEFAULT_DB } from './defaults.js';
import { addPolicyOptions, collect } from './gc-flags.js';
import type { AgentFlags } from './agent-run.js';
import type { CliIo, CliSignals } from './cli-io.js';

// `dockwarden agent`: its options. The work (and the flags' type) is in agent-run.ts,
// loaded when it runs: a type import loads nothing.

export function addAgentCommand(program: Command, io: CliIo, setExit: (code: number) => void, signals: CliSignals): void {
  const command = program
    .command('agent')
    .description('run continuously: watch events, record image use, sample usage, guard against data-root drift, run GC, alert, serve /metrics and /api')
    .option('--db <file>', 'SQLite store', DEFAULT_DB)
    .option('--listen <addr>', 'HTTP address (a non-loopback address needs --token)', '127.0.0.1:9476')
    .option('--token <token>', 'bearer token for the HTTP API (default: DOCKWARDEN_TOKEN)')
    .option('--webhook <url>', 'POST finding changes here as JSON (repeatable; Slack-compatible `text`)', collect, [])
    .option('--interval <dur>', 'usage sampling interval', '30s')
    .option('--gc-interval <dur>', 'how often doctor and GC run (GC also runs when usage crosses --high)', '5m')
    .option('--no-gc', 'plan GC but never delete (the plan is still served and recorded)')
    .option('--peer <url>', "another agent to list in the dashboard's fleet view (repeatable)", collect, [])
    .option('--peer-token <token>', "bearer token for the peers (default: DOCKWARDEN_PEER_TOKEN, else this agent's token)");
  addPolicyOptions(command).action(async (flags: AgentFlags) => {
    const { runAgentCommand } = await import('./agent-run.js');
    await runAgentCommand(program, flags, io, setExit, signals);
  });
}
