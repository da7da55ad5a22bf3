import { dockerdFlagsStart } from '../core/dockerd-flags.js';
import { errorCode, type HostProbe } from './host-probe.js';
import { processesNamed } from './processes.js';

// The dockerd that serves a socket, found in /proc. Its command line is the truth about
// the running engine's flags; docker.service is only the truth when systemd started it.
// A dockerd started by hand, by another supervisor or by a test harness is not governed
// by the unit or by /etc/docker/daemon.json unless its flags say so.

export interface DockerdProcess {
  pid: number;
  argv: string[];
  /** Whether its cgroup is docker.service, i.e. systemd started it from the unit. */
  startedByDockerService: boolean;
}

/** /var/run is a link to /run on every systemd distribution: compare sockets without it. */
function canonicalSocket(path: string): string {
  return path.startsWith('/var/run/') ? path.slice('/var'.length) : path;
}

/** The unix sockets a dockerd command line listens on (-H/--host; none means the default). */
export function listenSockets(argv: string[]): string[] {
  const hosts: string[] = [];
  for (let i = dockerdFlagsStart(argv); i < argv.length; i++) {
    const word = argv[i]!;
    const glued = /^(?:--host|-H)=(.*)$/.exec(word) ?? /^-H(.+)$/.exec(word);
    if (glued) hosts.push(glued[1]!);
    else if ((word === '-H' || word === '--host') && i + 1 < argv.length) hosts.push(argv[++i]!);
  }
  if (hosts.length === 0) return ['/run/docker.sock'];
  return hosts.flatMap((h) => {
    // fd:// is systemd socket activation: docker.socket listens on /run/docker.sock.
    if (h.startsWith('fd://')) return ['/run/docker.sock'];
    if (h.startsWith('unix://')) return [canonicalSocket(h.slice('unix://'.length) || '/var/run/docker.sock')];
    return [];
  });
}

/** The dockerd listening on `socketPath`; what stood in the way of finding or judging it goes into `gaps`. */
export async function findDockerdProcess(probe: HostProbe, socketPath: string, gaps: string[]): Promise<DockerdProcess | null> {
  const wanted = canonicalSocket(socketPath);
  const daemons = await processesNamed(probe, (exe, argv) => exe === 'dockerd' || (exe === 'docker' && argv[1] === 'daemon'), gaps, `the dockerd serving ${socketPath}`);
  const found = daemons.find((p) => listenSockets(p.argv).includes(wanted));
  if (!found) return null;
  const path = `/proc/${found.pid}/cgroup`;
  let cgroup: string | null = null;
  try {
    cgroup = await probe.readFile(path);
  } catch (err) {
    gaps.push(`${path} cannot be read (${errorCode(err)}): whether docker.service started dockerd ${found.pid} is unknown; its command line is taken as the running configuration.`);
  }
  return { pid: found.pid, argv: found.argv, startedByDockerService: /\/docker\.service\b/.test(cgroup ?? '') };
}
