import { readFileSync } from 'node:fs';
import { makeFacts, makeLocal, makeSetting } from '../../doctor/testing/build-facts.js';
import type { DockerInfo } from '../../engine/docker-info.js';
import type { ConfigSetting, ContainerdFacts } from '../../host/local-facts.js';
import type { PlanHost, PlanRequest } from '../plan-context.js';
import type { PlanKind } from '../plan.js';

// Plan inputs for tests: a recorded `docker info` from test/fixtures/info plus the host
// half (kernel, daemon.json, settings) each story needs.

export function recordedInfo(name: string): DockerInfo {
  return JSON.parse(readFileSync(new URL(`../../../test/fixtures/info/${name}.json`, import.meta.url), 'utf8')) as DockerInfo;
}

export interface HostShape {
  info: DockerInfo;
  /** daemon.json text as on disk; null when there is none. */
  daemonJson?: string | null;
  settings?: ConfigSetting[];
  files?: Record<string, string | null>;
  /** containerd's image store: where its containerd keeps images. */
  containerd?: ContainerdFacts;
}

export function planHost(shape: HostShape): PlanHost {
  const text = shape.daemonJson ?? null;
  const json = text === null ? {} : (JSON.parse(text) as Record<string, unknown>);
  const settings = [...Object.entries(json).map(([k, v]) => makeSetting(k, typeof v === 'string' ? v : JSON.stringify(v))), ...(shape.settings ?? [])];
  const facts = makeFacts({ info: shape.info, host: makeLocal({ kernelRelease: shape.info.KernelVersion ?? null, containerd: shape.containerd ?? null }, settings) });
  return { facts, daemonJson: { path: '/etc/docker/daemon.json', text, json }, files: shape.files ?? {} };
}

export function planRequest(kind: PlanKind, overrides: Partial<PlanRequest> = {}): PlanRequest {
  return { kind, device: '/dev/sdb', forceFormat: false, removeConflictingFlags: false, fstab: '/etc/fstab', ...overrides };
}

/** A -g flag in a drop-in, as hosts set up before daemon.json existed carry it. */
export const GRAPH_FLAG_DROP_IN: ConfigSetting = makeSetting('data-root', '/srv/docker', {
  origin: 'systemd-drop-in',
  file: '/etc/systemd/system/docker.service.d/override.conf',
  text: 'ExecStart=/usr/bin/dockerd -H fd:// -g /srv/docker --containerd=/run/containerd/containerd.sock',
});
