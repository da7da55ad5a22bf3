import { type Command, Option } from 'commander';
import type { DemoFlags } from './demo-run.js';
import type { CliIo, CliSignals } from './cli-io.js';
import { parsePercent } from './gc-flags.js';

// `dockwarden demo`: its options. The work is in demo-run.ts, loaded when it runs.

export function addDemoCommand(program: Command, io: CliIo, setExit: (code: number) => void, signals: CliSignals): void {
  program
    .command('demo')
    .description("(root) run a throwaway Docker engine on a loop-mounted disk with a realistic history, then doctor, a GC dry run and the agent's dashboard against it; Ctrl-C removes everything")
    .addOption(new Option('--fs <fs>', 'filesystem of the loop disk').choices(['ext4', 'xfs', 'btrfs']).default('ext4'))
    .option('--size <size>', 'size of the loop disk: 1G, 1536M, or MiB', '1G')
    .option('--engine <id>', 'which dockerd: host (the one on PATH) or a build scripts/fetch-engines.sh unpacked (trixie, sid)', 'host')
    .addOption(new Option('--image-store <store>', "where images live: the graph driver (overlay2) or containerd's image store").choices(['graph', 'containerd']).default('graph'))
    .option('--listen <addr>', "the dashboard's address (the agent's --listen)", '127.0.0.1:9476')
    .option('--token <token>', 'bearer token for the dashboard and API (default: a fresh random one, printed)')
    .addOption(new Option('--high <pct>', 'GC threshold: the disk is filled just past it').argParser(parsePercent).default(85))
    .action(async (flags: DemoFlags) => {
      const { runDemo } = await import('./demo-run.js');
      await runDemo(flags, io, setExit, signals);
    });
}
