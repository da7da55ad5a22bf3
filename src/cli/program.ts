import { Command, Option } from 'commander';
import { addAgentCommand } from './agent-command.js';
import { addConfigCommand } from './config-command.js';
import { addDemoCommand } from './demo-command.js';
import { addFleetCommand } from './fleet-command.js';
import { addGcCommand } from './gc-command.js';
import { addPlanCommand } from './plan-command.js';
import { addStatusCommand } from './status-command.js';
import type { CliIo } from './cli-io.js';
import type { FactsSourceOptions } from './load-facts.js';

// The command-line contract of DESIGN.md. Commands parse flags, call the layers below
// and print; they return an exit code and never call process.exit themselves. Each
// command's code is loaded when it runs: `dockwarden gc` need not load doctor's checks,
// nor `--help` anything but the flags.

interface GlobalOptions {
  host?: string;
  json?: boolean;
  hostRoot?: string;
}

function sourceOptions(global: GlobalOptions, local: { facts?: string; info?: string }): FactsSourceOptions {
  return { facts: local.facts, info: local.info, host: global.host, hostRoot: global.hostRoot };
}

export function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('dockwarden')
    .description('Keeps Docker hosts from dying of storage problems.')
    .version('0.1.0')
    .option('--host <url>', 'Docker engine to talk to (unix:///path, tcp://host:2376, ssh://user@host); default DOCKER_HOST, then the local socket')
    .option('--json', 'machine-readable output on stdout (logs stay on stderr)')
    .addOption(new Option('--host-root <dir>', 'where the host filesystem is mounted when dockwarden runs in a container').default(undefined))
    .exitOverride()
    .configureOutput({
      writeOut: io.stdout,
      writeErr: io.stderr,
      // One line for a usage error, like every other error: "dockwarden: unknown option '--jsn' (Did you mean --json?) ..."
      outputError: (text, write) =>
        write(
          `dockwarden: ${text
            .replace(/^error: /, '')
            .replace(/\s*\n\s*/g, ' ')
            .trim()} (see dockwarden --help)\n`,
        ),
    });

  program
    .command('facts')
    .description('print the facts snapshot (engine + host) as JSON; read it back with doctor --facts FILE')
    .option('--info <file>', 'build the snapshot from `docker info` output (JSON or text; - for stdin) instead of an engine')
    .action(async (local: { info?: string }) => {
      const { loadFacts } = await import('./load-facts.js');
      const facts = await loadFacts(sourceOptions(program.opts<GlobalOptions>(), local), io.env, io.now());
      io.stdout(`${JSON.stringify(facts, null, 2)}\n`);
      setExit(0);
    });

  program
    .command('doctor')
    .description('diagnose the storage driver, data root, disk, logging and swarm settings; exit 2 critical, 1 warning, 0 healthy, 3 bad input or no engine')
    .option('--facts <file>', 'diagnose a snapshot written by `dockwarden facts`')
    .option('--info <file>', 'diagnose `docker info` output (JSON or text, as pasted; - for stdin)')
    .option('--json', 'JSON output: {findings, facts, notChecked, gaps}')
    .action(async (local: { facts?: string; info?: string; json?: boolean }) => {
      const global = program.opts<GlobalOptions>();
      const { runDoctorCommand } = await import('./doctor-run.js');
      await runDoctorCommand(sourceOptions(global, local), Boolean(global.json || local.json), io, setExit);
    });

  addGcCommand(program, io, setExit);
  addPlanCommand(program, io, setExit);
  addAgentCommand(program, io, setExit, io.signals);
  addStatusCommand(program, io, setExit);
  addConfigCommand(program, io, setExit);
  addFleetCommand(program, io, setExit);
  addDemoCommand(program, io, setExit, io.signals);

  return program;
}
