import { posix } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { errorCode, type HostProbe } from './host-probe.js';
import type { ConfigSetting } from './local-facts.js';
import { processesNamed } from './processes.js';

// Where containerd keeps the images of an engine that uses containerd's image store.
//
// dockerd talks to one containerd: the one named by `--containerd` (or daemon.json
// "containerd"); else the system's, when /run/containerd/containerd.sock exists (dockerd
// checks exactly that at start: packaged hosts run containerd.io or Debian's containerd
// as a service); else one it starts itself, whose config it writes to
// `<exec-root>/containerd/containerd.toml` with the root `<data-root>/containerd/daemon`.
// A containerd's root is its `--root` flag, else `root` in its config file (`--config`,
// default /etc/containerd/config.toml), else /var/lib/containerd.

export const SYSTEM_CONTAINERD_SOCKET = '/run/containerd/containerd.sock';
export const DEFAULT_CONTAINERD_ROOT = '/var/lib/containerd';
const DEFAULT_CONTAINERD_CONFIG = '/etc/containerd/config.toml';
const DEFAULT_EXEC_ROOT = '/var/run/docker';

export interface ContainerdLocation {
  /** The socket dockerd talks to containerd on. */
  address: string;
  /** dockerd started this containerd itself: its root then sits under the data root. */
  managedByDockerd: boolean;
  root: string;
  /** How the root was learned, for evidence: "`root` in /etc/containerd/config.toml of containerd pid 812". */
  rootSource: string;
  /** The containerd process serving `address`, when /proc shows it. */
  pid: number | null;
  configPath: string | null;
}

/** /var/run is a link to /run on every systemd distribution: compare sockets without it. */
function canonical(path: string): string {
  const p = path.replace(/^unix:\/\//, '');
  return p.startsWith('/var/run/') ? p.slice('/var'.length) : p;
}

interface ContainerdArgs {
  address?: string;
  config?: string;
  root?: string;
}

/** containerd's own flags (urfave/cli: `--flag value`, `--flag=value`, `-c value`). */
export function parseContainerdArgs(argv: string[]): ContainerdArgs {
  const names: Record<string, keyof ContainerdArgs> = { '--address': 'address', '-a': 'address', '--config': 'config', '-c': 'config', '--root': 'root' };
  const out: ContainerdArgs = {};
  for (let i = 1; i < argv.length; i++) {
    const word = argv[i] as string;
    const eq = word.indexOf('=');
    const key = names[eq > 0 ? word.slice(0, eq) : word];
    if (!key) continue;
    if (eq > 0) out[key] = word.slice(eq + 1);
    else if (argv[i + 1] !== undefined) out[key] = argv[++i] as string;
  }
  return out;
}

export interface ContainerdConfig {
  root?: string;
  address?: string;
  /** A snapshotter root moved elsewhere (`root_path` of the overlayfs snapshotter plugin). */
  snapshotterRoot?: string;
}

/** The few keys of a containerd config.toml (format 1, 2 or 3) that say where data lives. */
export function parseContainerdConfig(text: string): ContainerdConfig {
  const doc = parseToml(text) as Record<string, unknown>;
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const table = (v: unknown): Record<string, unknown> => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {});
  const plugins = table(doc['plugins']);
  const overlay = table(plugins['io.containerd.snapshotter.v1.overlayfs'] ?? plugins['overlayfs']);
  const out: ContainerdConfig = {};
  const root = str(doc['root']);
  const address = str(table(doc['grpc'])['address']);
  const snapshotterRoot = str(overlay['root_path']);
  if (root) out.root = root;
  if (address) out.address = address;
  if (snapshotterRoot) out.snapshotterRoot = snapshotterRoot;
  return out;
}

function lastEffective(settings: readonly ConfigSetting[], key: string): string | undefined {
  return settings.filter((s) => s.key === key && s.effective).at(-1)?.value;
}

interface RunningContainerd {
  pid: number;
  args: ContainerdArgs;
  configPath: string;
  config: ContainerdConfig;
}

/** The containerd process listening on `address`, with its config read. */
async function findContainerd(probe: HostProbe, address: string, gaps: string[]): Promise<RunningContainerd | null> {
  for (const { pid, argv } of await processesNamed(probe, (exe) => exe === 'containerd', gaps, `the containerd listening on ${address}`)) {
    const args = parseContainerdArgs(argv);
    const configPath = args.config ?? DEFAULT_CONTAINERD_CONFIG;
    const config = await readContainerdConfig(probe, configPath, gaps);
    if (canonical(args.address ?? config.address ?? SYSTEM_CONTAINERD_SOCKET) !== canonical(address)) continue;
    return { pid, args, configPath, config };
  }
  return null;
}

async function readContainerdConfig(probe: HostProbe, path: string, gaps: string[]): Promise<ContainerdConfig> {
  let text: string | null;
  try {
    text = await probe.readFile(path);
  } catch (err) {
    gaps.push(`${path} cannot be read (${errorCode(err)}): containerd's root is assumed to be its default; run dockwarden as root.`);
    return {};
  }
  if (text === null) return {};
  try {
    return parseContainerdConfig(text);
  } catch (err) {
    gaps.push(`${path} is not valid TOML (${(err as Error).message.split('\n')[0]}): containerd's root is assumed to be its default.`);
    return {};
  }
}

export interface ContainerdRequest {
  dataRoot: string;
  /** dockerd's effective settings (flags, daemon.json): `containerd`, `exec-root`. */
  settings: readonly ConfigSetting[];
  /** /info's Containerd.Address (Engine 27+), when the engine said. */
  infoAddress: string | null;
}

/** Whether the packaged containerd's socket is there; one that cannot be looked at is a gap, and taken as absent. */
async function systemSocketExists(probe: HostProbe, gaps: string[]): Promise<boolean> {
  try {
    return (await probe.realPath(SYSTEM_CONTAINERD_SOCKET)) !== null;
  } catch (err) {
    gaps.push(`${SYSTEM_CONTAINERD_SOCKET} cannot be looked at (${errorCode(err)}): dockerd is assumed to run its own containerd; run dockwarden as root.`);
    return false;
  }
}

/** Where the engine's containerd keeps content and snapshots; every guess is named in rootSource or gaps. */
export async function locateContainerd(probe: HostProbe, request: ContainerdRequest, gaps: string[]): Promise<ContainerdLocation> {
  const execRoot = lastEffective(request.settings, 'exec-root') ?? DEFAULT_EXEC_ROOT;
  const ownSocket = posix.join(execRoot, 'containerd', 'containerd.sock');
  const configured = lastEffective(request.settings, 'containerd');
  let address: string;
  if (request.infoAddress) address = request.infoAddress;
  else if (configured) address = configured;
  else if (await systemSocketExists(probe, gaps)) address = SYSTEM_CONTAINERD_SOCKET;
  else address = ownSocket;
  const managedByDockerd = canonical(address) === canonical(ownSocket);

  const running = await findContainerd(probe, address, gaps);
  if (running) {
    const { args, config, configPath, pid } = running;
    if (config.snapshotterRoot)
      gaps.push(`${configPath} moves the overlayfs snapshotter to ${config.snapshotterRoot}: unpacked layers live there, not under containerd's root; only the root's filesystem is measured.`);
    const root = args.root ?? config.root ?? DEFAULT_CONTAINERD_ROOT;
    const rootSource = args.root ? `--root of containerd pid ${pid}` : config.root ? `\`root\` in ${configPath} of containerd pid ${pid}` : `containerd's default (pid ${pid} sets no root)`;
    return { address, managedByDockerd, root, rootSource, pid, configPath };
  }
  if (managedByDockerd) {
    const root = posix.join(request.dataRoot, 'containerd', 'daemon');
    return { address, managedByDockerd, root, rootSource: "dockerd's own containerd, under the data root (its process was not visible)", pid: null, configPath: null };
  }
  gaps.push(`No containerd process serving ${address} is visible in /proc: its root is read from ${DEFAULT_CONTAINERD_CONFIG} or assumed to be ${DEFAULT_CONTAINERD_ROOT}.`);
  const config = await readContainerdConfig(probe, DEFAULT_CONTAINERD_CONFIG, gaps);
  const root = config.root ?? DEFAULT_CONTAINERD_ROOT;
  return { address, managedByDockerd, root, rootSource: config.root ? `\`root\` in ${DEFAULT_CONTAINERD_CONFIG}` : "containerd's default", pid: null, configPath: null };
}
