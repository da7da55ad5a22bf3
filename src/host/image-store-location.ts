import type { DockerInfo } from '../engine/docker-info.js';
import { imageStoreKind, type ImageStoreKind } from '../core/image-store.js';
import type { ContainerdLocation } from './containerd-root.js';
import { DEFAULT_DAEMON_JSON, daemonJsonSettings, readDaemonJson } from './daemon-json.js';
import { parseDockerdFlags } from '../core/dockerd-flags.js';
import { findDockerdProcess } from './dockerd-process.js';
import type { HostProbe } from './host-probe.js';
import type { ConfigSetting } from './local-facts.js';

// Where this engine's image content lives on this host, for gc and the agent: the data
// root with a graph driver, containerd's root with containerd's image store. A lighter
// read than doctor's (no systemd units, no init defaults): the running dockerd's own
// flags and the daemon.json they name are what decide which containerd it talks to.

export interface ImageStoreLocation {
  kind: ImageStoreKind;
  /** The directory whose filesystem fills with images. */
  path: string;
  /** "the data root /var/lib/docker" or "containerd's root /var/lib/containerd (`root` in …)" */
  description: string;
  containerd: ContainerdLocation | null;
}

async function dockerdSettings(probe: HostProbe, socketPath: string | null, gaps: string[]): Promise<ConfigSetting[]> {
  const running = socketPath ? await findDockerdProcess(probe, socketPath, gaps) : null;
  const flags = running
    ? parseDockerdFlags(running.argv).map(
        (f): ConfigSetting => ({ key: f.key, value: f.value, origin: 'dockerd-process', file: `/proc/${running.pid}/cmdline`, text: f.words.join(' '), effective: true }),
      )
    : [];
  const configFile = flags.filter((f) => f.key === 'config-file').at(-1)?.value ?? DEFAULT_DAEMON_JSON;
  const daemonJson = await readDaemonJson(probe, configFile).catch(() => ({ exists: false, json: {} }));
  // Flags last: a later setting wins in locateContainerd, and dockerd refuses both anyway.
  return [...daemonJsonSettings(daemonJson.json, configFile), ...flags];
}

export async function locateImageStore(probe: HostProbe, info: DockerInfo, socketPath: string | null, gaps: string[]): Promise<ImageStoreLocation | null> {
  const dataRoot = info.DockerRootDir;
  if (!dataRoot) return null;
  const kind = imageStoreKind(info);
  if (kind === 'graph') return { kind, path: dataRoot, description: `the data root ${dataRoot}`, containerd: null };
  const { locateContainerd } = await import('./containerd-root.js');
  const containerd = await locateContainerd(probe, { dataRoot, settings: await dockerdSettings(probe, socketPath, gaps), infoAddress: info.Containerd?.Address ?? null }, gaps);
  return { kind, path: containerd.root, description: `containerd's root ${containerd.root} (${containerd.rootSource})`, containerd };
}
