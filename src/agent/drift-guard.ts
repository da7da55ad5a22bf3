import type { Finding } from '../finding.js';
import type { LocationContents } from '../host/data-root-contents.js';
import type { ConfigSetting } from '../host/local-facts.js';
import type { EngineIdentity } from '../store/agent-store.js';

// data-root.drift: the engine came back somewhere else. After apt-daily-upgrade restarted
// docker on the Ubuntu host of DESIGN.md, `Docker Root Dir` read /var/lib/docker instead
// of the configured root and every image "disappeared" while the data sat in the old
// directory. Pure: the identities the agent recorded at each (re)connection, what the
// old location still holds, and where the root is configured, in; a finding out.

export interface DriftInput {
  current: EngineIdentity;
  /** Earlier identities, newest first (the current one not included). */
  history: readonly EngineIdentity[];
  /** What the previous location holds now, counted on this host; null when not local. */
  previousContents: LocationContents | null;
  /** data-root settings from every config source, effective or not. */
  rootSettings: readonly ConfigSetting[];
  /** Restart forensics, as evidence lines. */
  forensics: readonly string[];
}

/** An inventory that shrank to this fraction or less across a move is a collapse, not a clean-up. */
const COLLAPSE_RATIO = 0.2;
const COLLAPSE_MIN_IMAGES = 5;

const sameLocation = (a: EngineIdentity, b: EngineIdentity) => a.dockerRootDir === b.dockerRootDir && a.driver === b.driver && a.imageStore === b.imageStore;

/** "the overlay2 graph driver", "containerd's image store (overlayfs snapshotter)" */
function storeName(i: EngineIdentity): string {
  return i.imageStore === 'containerd' ? `containerd's image store (${i.driver} snapshotter)` : `the ${i.driver} graph driver`;
}

/** The newest identity at another root or driver than the current one: where the data was. */
export function previousLocation(current: EngineIdentity, history: readonly EngineIdentity[]): EngineIdentity | null {
  return history.find((h) => !sameLocation(h, current)) ?? null;
}

function what(prev: EngineIdentity, cur: EngineIdentity): string {
  if (prev.dockerRootDir !== cur.dockerRootDir) return `Docker Root Dir changed from ${prev.dockerRootDir} to ${cur.dockerRootDir}`;
  if (prev.imageStore !== cur.imageStore) return `The image store switched from ${storeName(prev)} to ${storeName(cur)} on ${cur.dockerRootDir}`;
  return `Storage driver changed from ${prev.driver} to ${cur.driver} on ${cur.dockerRootDir}`;
}

function fix(prev: EngineIdentity, cur: EngineIdentity, settings: readonly ConfigSetting[]): Finding['fix'] {
  const wanted = settings.find((s) => s.value === prev.dockerRootDir);
  const current = settings.find((s) => s.effective && s.value === cur.dockerRootDir);
  const check = `docker info --format '{{.DockerRootDir}} {{.Driver}}'   # expect ${prev.dockerRootDir} ${prev.driver}`;
  if (prev.dockerRootDir === cur.dockerRootDir && prev.imageStore !== cur.imageStore) {
    // Each store keeps its own images; dockerd shows only the one it runs on (Docker's docs: switching hides the other's).
    const back = prev.imageStore === 'containerd';
    return {
      summary:
        `Images of ${storeName(prev)} are hidden, not lost: switch back with "features": {"containerd-snapshotter": ${back}} in daemon.json and restart docker, ` +
        'or, to move for good, `docker save` them while on the old store and `docker load` them on the new one.',
      commands: [`# /etc/docker/daemon.json: { "features": { "containerd-snapshotter": ${back} } }`, 'systemctl restart docker', check],
    };
  }
  if (prev.dockerRootDir === cur.dockerRootDir) {
    return {
      summary: `Images of the ${prev.driver} driver are hidden, not lost: set "storage-driver": "${prev.driver}" again (or migrate them) and restart docker.`,
      commands: [`# /etc/docker/daemon.json: { "storage-driver": "${prev.driver}" }`, 'systemctl restart docker', check],
    };
  }
  if (wanted && !wanted.effective) {
    return {
      summary: `${wanted.file} sets the root to ${prev.dockerRootDir}, but dockerd does not read it (${wanted.ineffectiveReason ?? 'not effective'}): move the setting where dockerd reads it and restart onto ${prev.dockerRootDir}.`,
      commands: [`# /etc/docker/daemon.json: { "data-root": "${prev.dockerRootDir}" }`, 'systemctl daemon-reload', 'systemctl restart docker', check],
    };
  }
  if (current) {
    return {
      summary: `${current.file} now points the root at ${cur.dockerRootDir} while ${prev.dockerRootDir} holds the data: point it back (or copy the data over with docker stopped) and restart.`,
      commands: [`# ${current.file}: ${current.text.trim()}  ->  "${prev.dockerRootDir}"`, 'systemctl restart docker', check],
    };
  }
  return {
    summary: `Nothing that dockerd reads sets the root to ${prev.dockerRootDir} any more${wanted ? '' : ' (no data-root setting was found)'}: set "data-root" in /etc/docker/daemon.json and restart onto it.`,
    commands: [`# /etc/docker/daemon.json: { "data-root": "${prev.dockerRootDir}" }`, 'systemctl restart docker', check],
  };
}

export function checkDrift(input: DriftInput): Finding | null {
  const { current } = input;
  const prev = previousLocation(current, input.history);
  if (!prev) return null;
  const left = input.previousContents;
  const collapse = prev.images >= COLLAPSE_MIN_IMAGES && current.images <= prev.images * COLLAPSE_RATIO;
  const holdsData = left !== null && ((left.images ?? 0) > 0 || (left.containers ?? 0) > 0);
  // An old place that could not be looked into may hold everything: not a clean move.
  const unknown = left !== null && left.unreadable.length > 0;
  // A clean move (the old place is empty and nothing vanished) is not drift.
  if (!collapse && !holdsData && !unknown) return null;
  const leftImages = left?.images ?? null;
  const critical = collapse || (leftImages !== null && leftImages > current.images);
  const evidence = [
    `Docker Root Dir: ${current.dockerRootDir}, Storage Driver: ${current.driver} (engine ${current.serverVersion}, since ${new Date(current.at).toISOString()})`,
    `before: ${prev.dockerRootDir}, ${prev.driver} (last seen ${new Date(prev.at).toISOString()})`,
    `images: ${current.images} now, ${prev.images} before; containers: ${current.containers} now, ${prev.containers} before`,
  ];
  if (left) {
    evidence.push(`${prev.dockerRootDir} still holds ${left.images ?? 'an unknown number of'} images and ${left.containers ?? 'an unknown number of'} containers`);
    if (left.unreadable.length > 0) evidence.push(`${prev.dockerRootDir} could not be looked into (${left.unreadable.join(', ')}): run dockwarden as root to count what it holds`);
  }
  for (const s of input.rootSettings) evidence.push(`${s.file}: ${s.text.trim()}${s.effective ? '' : ` (not read by dockerd: ${s.ineffectiveReason ?? 'not effective'})`}`);
  evidence.push(...input.forensics);
  return {
    id: 'data-root.drift',
    severity: critical ? 'critical' : 'warning',
    title: what(prev, current),
    detail: critical
      ? 'The engine now runs on a different location, so the images and containers of the old one look gone — nothing was deleted, the data is still there. ' +
        'Anything pulled or started now lands in the new location, and the two drift further apart.'
      : `The engine moved and the old location still holds data: a leftover copy that takes space, or a half-finished migration.`,
    evidence,
    fix: fix(prev, current, input.rootSettings),
  };
}
