import { writeFile } from 'node:fs/promises';
import { run } from './proc.js';

// Isolation from the host beyond separate paths.
//
// Network: dockerd runs in a network namespace of its own, pinned by a bind mount at
// `<dir>/netns`. Swarm listens on fixed host ports (2377, 7946 gossip, 4789 VXLAN) and
// creates `docker_gwbridge` and the ingress network; in the host's namespace a second
// engine's `docker swarm init` fails with "address already in use" and its bridge would
// meet the host's. The sandbox's socket is a unix socket on the filesystem, so clients
// in the host namespace still reach it.
//
// Mounts: the sandbox directory is made a private bind mount of itself first, so the
// loop mount, dockerd's overlay mounts and the netns pin never propagate into other mount
// namespaces (on systemd hosts `/` is shared), and `unshare --net=FILE` accepts it.

export async function makePrivateMount(dir: string): Promise<void> {
  await run('mount', ['--bind', dir, dir]);
  await run('mount', ['--make-private', dir]);
}

/** Creates the namespace and brings up `lo`: swarm advertises 127.0.0.1 in the sandbox. */
export async function makeNetns(nsPath: string): Promise<void> {
  await writeFile(nsPath, '');
  await run('unshare', [`--net=${nsPath}`, 'true']);
  await run('nsenter', [`--net=${nsPath}`, 'ip', 'link', 'set', 'lo', 'up']);
}

/** The command line that runs `program` inside the namespace; nsenter execs, so the pid is the program's. */
export function inNetns(nsPath: string, program: string, args: string[]): [string, string[]] {
  return ['nsenter', [`--net=${nsPath}`, '--', program, ...args]];
}
