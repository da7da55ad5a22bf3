import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../src/doctor/doctor-report.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { runCli } from '../support/run-cli.js';

// doctor against real engines on real filesystems: healthy storage says nothing about
// storage, a full disk and a swarm service without rollback are found, and a snapshot
// written by `facts` diagnoses the same as the live engine.

async function doctorJson(sandbox: Sandbox, extra: string[] = []): Promise<{ code: number | null; report: DoctorReport }> {
  const r = await runCli(['--host', sandbox.dockerHost, 'doctor', '--json', ...extra]);
  expect(r.stderr).toBe('');
  return { code: r.code, report: JSON.parse(r.stdout) as DoctorReport };
}

const storageIds = (report: DoctorReport) => report.findings.map((f) => f.id).filter((id) => id.startsWith('storage.') || id.startsWith('thinpool.'));

describe('overlay2 on ext4', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    // Its own daemon.json, passed with --config-file: doctor must read that one, not /etc/docker's.
    sandbox = await startSandbox({ fs: 'ext4', sizeMb: 512, daemonJson: { 'log-driver': 'json-file', 'log-opts': { 'max-size': '10m' } } });
    await sandbox.importImage('dw/app:1', { sizeBytes: 2 * 1024 * 1024 });
  });
  afterAll(async () => sandbox?.stop());

  it('reports no storage finding and describes the engine and its filesystem', async () => {
    const { report } = await doctorJson(sandbox);
    expect(storageIds(report)).toEqual([]);
    expect(report.facts).toMatchObject({
      origin: 'engine',
      driver: 'overlay2',
      backingFilesystem: 'extfs',
      dockerRootDir: sandbox.dataRoot,
      apiVersion: '1.41',
      dataRootFs: { fsType: 'ext4' },
    });
    // dockerd bind-mounts its root onto itself, so the innermost mount may be <mnt>/docker.
    expect(report.facts.dataRootFs?.mountPoint.startsWith(sandbox.mountPoint)).toBe(true);
    expect(report.facts.dataRootFs?.device).toMatch(/^\/dev\/loop\d+$/);
    expect(report.findings.map((f) => f.id)).not.toContain('data-root.on-root-fs');
    expect(report.findings.map((f) => f.id)).not.toContain('logging.unbounded');
    expect(report.findings.map((f) => f.id)).not.toContain('disk.pressure');
  });

  it("reads the running dockerd's own flags and daemon.json, not the host's docker.service", async () => {
    const facts = JSON.parse((await runCli(['--host', sandbox.dockerHost, 'facts'])).stdout) as {
      host: { dockerConfig: { daemonJsonPath: string; settings: { key: string; value: string; origin: string; effective: boolean }[] } };
    };
    expect(facts.host.dockerConfig.daemonJsonPath).toBe(sandbox.daemonJsonPath);
    const effective = facts.host.dockerConfig.settings.filter((s) => s.effective);
    expect(effective).toContainEqual(expect.objectContaining({ key: 'data-root', value: sandbox.dataRoot, origin: 'dockerd-process' }));
    expect(effective).toContainEqual(expect.objectContaining({ key: 'log-opt', value: 'max-size=10m', origin: 'daemon.json' }));
  });

  it('a facts snapshot diagnoses the same as the live engine', async () => {
    const facts = await runCli(['--host', sandbox.dockerHost, 'facts']);
    expect(facts.code).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'dw-facts-'));
    try {
      const file = join(dir, 'snap.json');
      writeFileSync(file, facts.stdout);
      const fromFile = await runCli(['doctor', '--json', '--facts', file]);
      const live = await doctorJson(sandbox);
      const ids = (r: DoctorReport) => r.findings.map((f) => f.id).sort();
      expect(ids(JSON.parse(fromFile.stdout) as DoctorReport)).toEqual(ids(live.report));
      expect(fromFile.code).toBe(live.code);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finds services without rollback on a swarm manager, and not the one with --update-failure-action rollback', async () => {
    await sandbox.docker(['swarm', 'init', '--advertise-addr', '127.0.0.1']);
    await sandbox.docker(['service', 'create', '--detach', '--name', 'norollback', 'dw/app:1', 'sleep', '600']);
    await sandbox.docker(['service', 'create', '--detach', '--name', 'safe', '--update-failure-action', 'rollback', 'dw/app:1', 'sleep', '600']);
    const { code, report } = await doctorJson(sandbox);
    const finding = report.findings.find((f) => f.id === 'swarm.no-rollback');
    expect(finding?.severity).toBe('warning');
    expect(finding?.evidence.some((e) => e.startsWith('service norollback '))).toBe(true);
    expect(finding?.evidence.some((e) => e.startsWith('service safe '))).toBe(false);
    expect(code).toBeGreaterThanOrEqual(1);

    await sandbox.docker(['service', 'update', '--detach', '--update-failure-action', 'rollback', 'norollback']);
    const after = await doctorJson(sandbox);
    expect(after.report.findings.map((f) => f.id)).not.toContain('swarm.no-rollback');
    await sandbox.docker(['swarm', 'leave', '--force']);
  });

  it('reports disk.pressure once the filesystem fills past 85%, and exits non-zero', async () => {
    const usage = await sandbox.fillTo(90);
    expect(usage.usedPct).toBeGreaterThanOrEqual(90);
    const { code, report } = await doctorJson(sandbox);
    const finding = report.findings.find((f) => f.id === 'disk.pressure');
    expect(finding).toBeDefined();
    expect(finding?.evidence[0]).toContain(sandbox.mountPoint);
    expect(code).toBeGreaterThanOrEqual(1);
    await sandbox.clearFill();
    const cleared = await doctorJson(sandbox);
    expect(cleared.report.findings.map((f) => f.id)).not.toContain('disk.pressure');
  });

  it('human output groups by severity and ends with the counts', async () => {
    const r = await runCli(['--host', sandbox.dockerHost, 'doctor']);
    expect(r.stdout).toMatch(/^.+: Docker 20\.10\.\d+.*, overlay2 on extfs, root /);
    expect(r.stdout.trim().split('\n').at(-1)).toMatch(/^\d+ critical, \d+ warning, \d+ info\.$/);
  });

  it('a malformed daemon.json on the host is one clear error, exit 3', async () => {
    const root = mkdtempSync(join(tmpdir(), 'dw-root-'));
    try {
      mkdirSync(join(root, 'etc/docker'), { recursive: true });
      writeFileSync(join(root, 'etc/docker/daemon.json'), '{\n  "data-root": "/data/docker",\n}\n');
      const r = await runCli(['--host', sandbox.dockerHost, '--host-root', root, 'doctor']);
      expect(r.code).toBe(3);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain("/etc/docker/daemon.json is not valid JSON (line 2, column 30: trailing comma before '}')");
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('overlay2 on xfs (ftype=1)', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ fs: 'xfs', sizeMb: 320 });
  });
  afterAll(async () => sandbox?.stop());

  it('reports no storage finding and reads ftype=1 from xfs_info', async () => {
    const { report } = await doctorJson(sandbox);
    expect(storageIds(report)).toEqual([]);
    expect(report.facts).toMatchObject({ driver: 'overlay2', backingFilesystem: 'xfs', dataRootFs: { fsType: 'xfs' } });
    const facts = JSON.parse((await runCli(['--host', sandbox.dockerHost, 'facts'])).stdout) as { host: { dataRootFs: { xfsFtype: number } } };
    expect(facts.host.dataRootFs.xfsFtype).toBe(1);
  });
});

describe('btrfs driver on btrfs', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ fs: 'btrfs', sizeMb: 256, storageDriver: 'btrfs' });
    await sandbox.importImage('dw/app:1', { sizeBytes: 1024 * 1024 });
  });
  afterAll(async () => sandbox?.stop());

  it('is healthy: no storage or fs-mismatch finding', async () => {
    const { report } = await doctorJson(sandbox);
    expect(report.facts).toMatchObject({ driver: 'btrfs', dataRootFs: { fsType: 'btrfs' } });
    expect(storageIds(report)).toEqual([]);
  });
});
