import type { DockerInfo } from '../core/docker-info-schema.js';

// `docker info` as dockwarden reads it. The type comes from the zod schema in
// core/docker-info-schema.ts (facts files and pastes are checked with it); the live engine's
// answer is checked here with plain guards, so that doctor and gc never load zod.
export type { DockerInfo, DriverStatus } from '../core/docker-info-schema.js';

const STRING_FIELDS = [
  'ID',
  'Name',
  'ServerVersion',
  'Driver',
  'DockerRootDir',
  'LoggingDriver',
  'CgroupDriver',
  'CgroupVersion',
  'KernelVersion',
  'OperatingSystem',
  'OSType',
  'Architecture',
] as const;
const NUMBER_FIELDS = ['Containers', 'ContainersRunning', 'ContainersPaused', 'ContainersStopped', 'Images', 'NCPU', 'MemTotal'] as const;
const STRING_ARRAYS = ['SecurityOptions', 'Labels', 'Warnings'] as const;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/**
 * The engine's /info as DockerInfo: every field dockwarden reads is dropped when it has
 * another type than the schema's (as if the engine had not sent it), the rest passes
 * through. Throws only when the answer is not a JSON object at all.
 */
export function asDockerInfo(raw: unknown): DockerInfo {
  if (!isObject(raw)) throw new TypeError(`/info answered ${raw === null ? 'null' : typeof raw}, not a JSON object`);
  const info: Record<string, unknown> = { ...raw };
  for (const k of STRING_FIELDS) if (k in info && typeof info[k] !== 'string') delete info[k];
  for (const k of NUMBER_FIELDS) if (k in info && typeof info[k] !== 'number') delete info[k];
  for (const k of STRING_ARRAYS) if (k in info && info[k] !== null && !isStringArray(info[k])) delete info[k];
  if ('LiveRestoreEnabled' in info && typeof info['LiveRestoreEnabled'] !== 'boolean') delete info['LiveRestoreEnabled'];
  const status = info['DriverStatus'];
  if ('DriverStatus' in info && status !== null && !(Array.isArray(status) && status.every((p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'string' && typeof p[1] === 'string')))
    delete info['DriverStatus'];
  if ('Swarm' in info && !isObject(info['Swarm'])) delete info['Swarm'];
  if ('Containerd' in info && info['Containerd'] !== null && !isObject(info['Containerd'])) delete info['Containerd'];
  return info as DockerInfo;
}
