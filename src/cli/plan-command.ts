import { Argument, Command, Option } from 'commander';
import { PLAN_KINDS, type PlanKind } from '../plan/plan.js';
import type { GlobalFlags, PlanFlags } from './plan-run.js';
import type { CliIo } from './cli-io.js';

// `dockwarden plan <kind>`: its flags. The work is in plan-run.ts, loaded when it runs.

export function addPlanCommand(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('plan')
    .description('write a reviewed, idempotent script that moves the engine onto healthy storage (preflight, change, verify, rollback)')
    .addArgument(new Argument('<kind>', PLAN_KINDS.join(' | ')).choices(PLAN_KINDS))
    .requiredOption('--device <dev>', 'the block device for the new storage (it is formatted)')
    .option('--data-root <dir>', 'where the new filesystem is mounted and the engine keeps its data (default /data/docker)')
    .addOption(new Option('--migrate <mode>', 'copy: rsync the old root (overlay2 to overlay2); save: docker save/load; fresh: pull again').choices(['copy', 'save', 'fresh']))
    .addOption(new Option('--fs <type>', 'overlay2: the filesystem to make').choices(['xfs', 'ext4']))
    .option('--pool <name>', 'zfs: the pool to create on the device')
    .option('--default-size <size>', 'pquota: a default size limit for every container (overlay2.size), e.g. 20G')
    .option('--force-format', 'format the device even if it holds a filesystem or partition table')
    .option('--remove-conflicting-flags', 'take --data-root/-g/-s flags that would clash with daemon.json out of the unit or /etc/default/docker')
    .option('--stop-command <cmd>', 'how the script stops the engine (default: systemctl stop docker.socket docker.service)')
    .option('--start-command <cmd>', 'how the script starts the engine (default: systemctl start docker.socket docker.service)')
    .option('--daemon-json <file>', 'the daemon.json to edit (default: the one dockerd reads)')
    .option('--fstab <file>', 'the fstab to add the mount to', '/etc/fstab')
    .option('--state-dir <dir>', 'where the script keeps what it must remember between runs (default /var/lib/dockwarden/plans/<kind>-<device>)')
    .option('--facts <file>', 'plan from a snapshot written by `dockwarden facts` instead of the live engine')
    .option('-o, --output <file>', 'write the script to this file (mode 0755) instead of stdout')
    .option('--json', 'the plan as data: {kind, title, summary, warnings, settings, steps: [{id, title, kind, destructive, commands, verify}], rollback, script}')
    .action(async (kind: PlanKind, flags: PlanFlags) => {
      // Loaded only for `plan`: the planners and the renderer would slow every other command's start.
      const { runPlan } = await import('./plan-run.js');
      await runPlan(kind, flags, program.opts<GlobalFlags>(), io);
      setExit(0);
    });
}
