import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAptHistory, parseAptPackageList } from './apt-history.js';

const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(`../../../test/fixtures/forensics/${name}`, import.meta.url)), 'utf8');
const utc = (y: number, mo: number, d: number, h: number, mi: number, s: number): number => Date.UTC(y, mo - 1, d, h, mi, s);
const J = '~ubuntu.22.04~jammy';

describe('parseAptHistory', () => {
  it("reads the Ubuntu host's blocks: unattended-upgrade runs and a sudo apt install", () => {
    const blocks = parseAptHistory(fixture('ubuntu-22.04/history.log'), 0);
    expect(blocks.map((b) => b.commandline)).toEqual(['/usr/bin/unattended-upgrade', '/usr/bin/unattended-upgrade', '/usr/bin/unattended-upgrade', 'apt install jq']);
    expect(blocks[1]).toEqual({
      start: utc(2026, 11, 25, 6, 20, 9),
      end: utc(2026, 11, 25, 6, 20, 16),
      commandline: '/usr/bin/unattended-upgrade',
      requestedBy: null,
      changes: [{ action: 'upgrade', package: 'containerd.io', arch: 'amd64', from: '1.6.19-1', to: '1.6.20-1', automatic: false }],
      error: null,
    });
    expect(blocks[2]?.changes.map((c) => [c.package, c.from, c.to])).toEqual([
      ['docker-ce-cli', `5:24.0.5-1${J}`, `5:24.0.6-1${J}`],
      ['docker-ce', `5:24.0.5-1${J}`, `5:24.0.6-1${J}`],
      ['docker-ce-rootless-extras', `5:24.0.5-1${J}`, `5:24.0.6-1${J}`],
    ]);
    expect(blocks[3]).toMatchObject({ requestedBy: 'ubuntu (1000)', start: utc(2026, 11, 25, 9, 41, 50) });
  });

  it('reads Install lists with automatic dependencies, and Install plus Upgrade in one block', () => {
    const [install] = parseAptHistory(fixture('ubuntu-22.04/history.log.1'), 0);
    expect(install?.changes).toHaveLength(9);
    expect(install?.changes[0]).toEqual({ action: 'install', package: 'docker-ce', arch: 'amd64', from: null, to: `5:24.0.5-1${J}`, automatic: false });
    expect(install?.changes[3]).toMatchObject({ package: 'docker-ce-rootless-extras', automatic: true });
    const upgrade = parseAptHistory(fixture('debian-12/history.log'), 60)[1];
    expect(upgrade?.changes.map((c) => `${c.action} ${c.package}`)).toEqual([
      'install linux-image-6.1.0-33-amd64',
      'upgrade runc',
      'upgrade containerd',
      'upgrade docker.io',
      'upgrade linux-image-amd64',
      'upgrade tzdata',
    ]);
  });

  it('reads local time with the offset given: 14:02:19 in CET is 13:02:19 UTC', () => {
    expect(parseAptHistory(fixture('debian-12/history.log'), 60)[1]?.start).toBe(utc(2026, 3, 12, 13, 2, 19));
    expect(parseAptHistory(fixture('debian-12/history.log'), -300)[1]?.start).toBe(utc(2026, 3, 12, 19, 2, 19));
  });

  it('reads CRLF line ends like LF ones', () => {
    const text = fixture('ubuntu-22.04/history.log');
    expect(parseAptHistory(text.replace(/\n/g, '\r\n'), 0)).toEqual(parseAptHistory(text, 0));
  });

  it('gives nothing for an empty file or one without Start-Date', () => {
    expect(parseAptHistory('', 0)).toEqual([]);
    expect(parseAptHistory('\n\n', 0)).toEqual([]);
    expect(parseAptHistory('Upgrade: runc:amd64 (1.1.7-1, 1.1.12-1)\nEnd-Date: 2026-11-25  06:20:16\n', 0)).toEqual([]);
  });

  it('keeps a block without End-Date open (end null) and still reads the next one', () => {
    const text = [
      'Start-Date: 2026-11-25  06:20:09',
      'Commandline: /usr/bin/unattended-upgrade',
      'Upgrade: containerd.io:amd64 (1.6.19-1, 1.6.20-1)',
      '',
      'Start-Date: 2026-11-25  07:00:00',
      'Commandline: apt-get remove -y runc',
      'Remove: runc:amd64 (1.1.7-1)',
      'End-Date: 2026-11-25  07:00:02',
    ].join('\n');
    const blocks = parseAptHistory(text, 0);
    expect(blocks.map((b) => b.end)).toEqual([null, utc(2026, 11, 25, 7, 0, 2)]);
    expect(blocks[1]?.changes).toEqual([{ action: 'remove', package: 'runc', arch: 'amd64', from: '1.1.7-1', to: null, automatic: false }]);
  });

  it('drops the item a truncated last line cuts in half', () => {
    const text = 'Start-Date: 2026-11-25  06:20:17\nUpgrade: docker-ce-cli:amd64 (5:24.0.5-1, 5:24.0.6-1), docker-ce:amd64 (5:24.0.5-1, 5:24.0';
    const [block] = parseAptHistory(text, 0);
    expect(block?.changes.map((c) => c.package)).toEqual(['docker-ce-cli']);
    expect(block?.end).toBeNull();
  });

  it('keeps the Error line and skips lines before the first Start-Date (a rotated file cut mid-block)', () => {
    const text =
      'Upgrade: x:amd64 (1, 2)\nEnd-Date: 2026-11-01  00:00:01\n\nStart-Date: 2026-11-25  06:20:09\nUpgrade: containerd:amd64 (1.7.2-0ubuntu1~22.04.1, 1.7.12-0ubuntu2~22.04.1)\nError: Sub-process /usr/bin/dpkg returned an error code (1)\nEnd-Date: 2026-11-25  06:20:30\n';
    const blocks = parseAptHistory(text, 0);
    expect(blocks).toHaveLength(1);
    expect(blocks[0]?.error).toBe('Sub-process /usr/bin/dpkg returned an error code (1)');
  });
});

describe('parseAptPackageList', () => {
  it('reads every action shape', () => {
    expect(parseAptPackageList('downgrade', 'docker-ce:amd64 (5:24.0.6-1, 5:24.0.5-1)')[0]).toMatchObject({ from: '5:24.0.6-1', to: '5:24.0.5-1' });
    expect(parseAptPackageList('purge', 'docker.io:amd64 (20.10.24+dfsg1-1+b3)')[0]).toMatchObject({ from: '20.10.24+dfsg1-1+b3', to: null });
    expect(parseAptPackageList('reinstall', 'runc:amd64 (1.1.12-1)')[0]).toMatchObject({ from: null, to: '1.1.12-1' });
    // apt before 1.0 (Ubuntu 12.04) wrote names without the architecture.
    expect(parseAptPackageList('install', 'lxc-docker (0.7.0)')[0]).toEqual({ action: 'install', package: 'lxc-docker', arch: null, from: null, to: '0.7.0', automatic: false });
  });
});
