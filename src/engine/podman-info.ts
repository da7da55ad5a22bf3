import { UsageError } from '../core/errors.js';

// `podman info` looks like `docker info` to the person pasting it, but it is another
// engine's own report: YAML (host:, store:, registries:, version:) or, with
// `--format json`, the same tree as JSON. Its store is containers/storage, whose
// "overlay" driver is the current one, not Docker's removed overlay (v1), under
// /var/lib/containers/storage (or ~/.local/share/containers/storage when rootless). What
// dockwarden can diagnose is Podman's Docker-compatible API, which `podman.socket` (or
// `podman system service`) serves.

interface PodmanFacts {
  driver?: string;
  root?: string;
  /** host.remoteSocket.path: where the API socket is (or would be). */
  socket?: string;
  rootless?: boolean;
}

/** Keys only `podman info` prints (camelCase), and the banner of the podman-docker wrapper. */
const PODMAN_LINE = /^\s*(graphDriverName|graphRoot|graphStatus|buildahVersion|remoteSocket|ociRuntime):|^Emulate Docker CLI using podman\b/;

function valueAfter(lines: readonly string[], key: string, from = 0): string | undefined {
  const pattern = new RegExp(`^\\s*${key}:\\s*(.*)$`);
  for (let i = from; i < lines.length; i++) {
    const m = pattern.exec(lines[i] as string);
    if (m) return (m[1] as string).trim().replace(/^["']|["']$/g, '') || undefined;
  }
  return undefined;
}

function factsFromYaml(lines: readonly string[]): PodmanFacts {
  const socketAt = lines.findIndex((l) => /^\s*remoteSocket:\s*$/.test(l));
  const rootless = valueAfter(lines, 'rootless');
  return {
    driver: valueAfter(lines, 'graphDriverName'),
    root: valueAfter(lines, 'graphRoot'),
    socket: socketAt >= 0 ? valueAfter(lines.slice(socketAt + 1, socketAt + 4), 'path') : undefined,
    rootless: rootless === undefined ? undefined : rootless === 'true',
  };
}

const field = (obj: unknown, ...path: string[]): unknown => path.reduce<unknown>((o, key) => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[key] : undefined), obj);
const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function message(facts: PodmanFacts): UsageError {
  const rootless = facts.rootless ?? facts.root?.includes('/.local/share/') ?? false;
  const socket = facts.socket ?? (rootless ? '$XDG_RUNTIME_DIR/podman/podman.sock' : '/run/podman/podman.sock');
  const enable = rootless ? 'systemctl --user enable --now podman.socket' : 'sudo systemctl enable --now podman.socket';
  const store = facts.driver
    ? ` (its ${JSON.stringify(facts.driver)} driver${facts.root ? ` in ${facts.root}` : ''} is containers/storage's${facts.driver === 'overlay' ? ", not Docker's removed overlay" : ''})`
    : '';
  return new UsageError(
    `--info: this is \`podman info\` output, not \`docker info\`${store}; to diagnose Podman, start its Docker-compatible API with \`${enable}\` ` +
      `(or \`podman system service --time=0\`) and run \`dockwarden doctor --host unix://${socket}\`, or paste \`docker info\` from a Docker host.`,
  );
}

/** The error for a text paste of `podman info` (YAML), or undefined when the lines are not one. */
export function podmanTextError(lines: readonly string[]): UsageError | undefined {
  return lines.some((l) => PODMAN_LINE.test(l)) ? message(factsFromYaml(lines)) : undefined;
}

/** The error for `podman info --format json`, or undefined when the object is not one. */
export function podmanJsonError(obj: Record<string, unknown>): UsageError | undefined {
  const isPodman = field(obj, 'store', 'graphDriverName') !== undefined || field(obj, 'host', 'buildahVersion') !== undefined;
  if (!isPodman) return undefined;
  const rootless = field(obj, 'host', 'security', 'rootless');
  return message({
    driver: text(field(obj, 'store', 'graphDriverName')),
    root: text(field(obj, 'store', 'graphRoot')),
    socket: text(field(obj, 'host', 'remoteSocket', 'path')),
    rootless: typeof rootless === 'boolean' ? rootless : undefined,
  });
}
