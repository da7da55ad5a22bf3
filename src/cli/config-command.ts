import type { Command } from 'commander';
import type { ConfigSetFlags } from './config-set.js';
import type { CliIo } from './cli-io.js';

// `dockwarden config set`: its arguments and flags. The work is in config-set.ts, loaded when it runs.

export function addConfigCommand(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const config = program.command('config').description('change what dockerd reads at start (daemon.json), safely');
  config
    .command('set')
    .description('set data-root or storage-driver in the daemon.json dockerd reads, with a backup, moving conflicting flags out of the way')
    .argument('<key>', 'data-root (an absolute path) or storage-driver (overlay2, btrfs, zfs, devicemapper, vfs, fuse-overlayfs)')
    .argument('<value>', 'the new value')
    .option('--daemon-json <file>', 'the file to edit (default: the one dockerd reads, /etc/docker/daemon.json unless --config-file says otherwise)')
    .option('--remove-conflicting-flags', 'also take the same setting out of the dockerd flags (systemd drop-in, /etc/default/docker, /etc/sysconfig/docker)')
    .option('--dry-run', 'print the new texts; write nothing')
    .option('--json', 'JSON output: {path, changes, backupPath, changed, edits, restartNeeded}')
    .action(async (key: string, rawValue: string, flags: ConfigSetFlags) => {
      // Loaded only for `config set`, like `plan`: no other command pays for it at start.
      const { runConfigSet } = await import('./config-set.js');
      await runConfigSet(key, rawValue, flags, program.opts<{ json?: boolean; host?: string; hostRoot?: string }>(), io);
      setExit(0);
    });
}
