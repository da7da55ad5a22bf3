import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runInProcess } from './testing/run-in-process.js';

// `dockwarden doctor --info FILE` end to end, in process: the pastes that used to be read
// wrong, each to its exit code and one line on stderr when it is not docker info.

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/info/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'dockwarden-info-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function doctor(input: { fixture: string } | { text: string }, ...flags: string[]) {
  let path: string;
  if ('fixture' in input) path = join(FIXTURES, input.fixture);
  else {
    path = join(dir, `paste-${Math.random().toString(36).slice(2)}.txt`);
    writeFileSync(path, input.text);
  }
  return runInProcess(['doctor', '--info', path, ...flags], new Date('2026-11-25T06:20:00Z'));
}

function expectOneLine(r: { code: number; stdout: string; stderr: string }, pattern: RegExp): void {
  expect(r.code).toBe(3);
  expect(r.stdout).toBe('');
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(pattern);
}

describe('dockwarden doctor --info', () => {
  it('a loop-lvm paste with ">" after every line is critical (exit 2), not "no storage problems"', async () => {
    const text = readFileSync(join(FIXTURES, 'centos7-devicemapper-loop.txt'), 'utf8')
      .split('\n')
      .map((l) => `${l}>`)
      .join('\n');
    const r = await doctor({ text });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('devicemapper runs on loop files (loop-lvm)');
  });

  it('a driver written "Device Mapper" is judged as devicemapper, and the note says how it was read', async () => {
    const r = await doctor({ text: 'Server Version: 1.13.1\nStorage Driver: Device Mapper\n Data loop file: /var/lib/docker/devicemapper/devicemapper/data\n' });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('Note: The paste writes the storage driver as "Device Mapper"; it was read as devicemapper.');
  });

  it('an unknown driver is listed under "Not checked" in the JSON, not passed', async () => {
    const r = await doctor({ text: 'Server Version: 24.0.5\nStorage Driver: xyz\nLogging Driver: json-file\n' }, '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { findings: unknown[]; notChecked: { id: string; reason: string }[] };
    expect(report.findings).toEqual([]);
    expect(report.notChecked.filter((n) => n.reason.includes('"xyz" is not one dockwarden knows')).map((n) => n.id)).toContain('storage.deprecated-driver');
  });

  it('JSON after shell lines is diagnosed (exit 0 for the zfs host) and the skipped lines are named', async () => {
    const r = await doctor({ fixture: 'other/json-after-shell-lines.txt' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Note: 5 lines around the JSON are not part of it and were skipped/);
  });

  it('a bare DriverStatus array of a nearly full loop-lvm pool is critical', async () => {
    const r = await doctor({ fixture: 'other/devicemapper-driver-status.txt' }, '--json');
    expect(r.code).toBe(2);
    const report = JSON.parse(r.stdout) as { findings: { id: string; severity: string }[] };
    expect(report.findings.map((f) => `${f.id}:${f.severity}`)).toEqual(['storage.devicemapper-loop:critical', 'thinpool.space-low:critical', 'storage.deprecated-driver:warning']);
  });

  it.each(['other/podman-info-rootless.yaml', 'other/podman-info-rootful.json'])("%s: one line saying it is Podman's, exit 3", async (fixture) => {
    expectOneLine(await doctor({ fixture }), /^dockwarden: --info: this is `podman info` output, not `docker info`.*dockwarden doctor --host unix:\/\//);
  });

  it('100,000 levels of nesting: one line, exit 3', async () => {
    expectOneLine(await doctor({ text: `{"Driver":"overlay2","X":${'['.repeat(100_000)}` }), /^dockwarden: --info: the JSON is nested more than 100 levels deep/);
  });

  it("Docker Desktop: Desktop's settings, never mkfs or fstab", async () => {
    const r = await doctor({ fixture: 'docker-desktop-mac.txt' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Settings > Resources > Advanced');
    expect(r.stdout).not.toMatch(/mkfs|fstab|dockwarden plan/);
  });
});
