import { describe, expect, it } from 'vitest';
import { gatherContainerLogs, isJsonLogName, summariseLogs } from './container-logs.js';
import { fakeHostProbe } from './testing/fake-host-probe.js';

describe('isJsonLogName', () => {
  it('takes the current log and rotated ones, compressed or not', () => {
    expect(['abc-json.log', 'abc-json.log.1', 'abc-json.log.12.gz'].every((n) => isJsonLogName('abc', n))).toBe(true);
    expect(['abc-json.log.tmp', 'def-json.log', 'container.log', 'abc-json.logx'].some((n) => isJsonLogName('abc', n))).toBe(false);
  });
});

describe('summariseLogs', () => {
  it('sums rotated files with their container and lists the five biggest, biggest first', () => {
    const files = ['a', 'b', 'c', 'd', 'e', 'f'].flatMap((id, i) => [
      { containerId: id, name: `${id}-json.log`, bytes: 100 * (i + 1) },
      { containerId: id, name: `${id}-json.log.1`, bytes: 1000 },
    ]);
    const facts = summariseLogs(files, '/var/lib/docker/');
    expect(facts.count).toBe(12);
    expect(facts.totalBytes).toBe(2100 + 6000);
    expect(facts.largest.map((l) => [l.containerId, l.bytes])).toEqual([
      ['f', 1600],
      ['e', 1500],
      ['d', 1400],
      ['c', 1300],
      ['b', 1200],
    ]);
    expect(facts.largest[0]?.path).toBe('/var/lib/docker/containers/f/f-json.log');
  });
});

describe('gatherContainerLogs', () => {
  it('says why when the containers directory is root-only', async () => {
    const gaps: string[] = [];
    const probe = fakeHostProbe({ dirs: ['/var/lib/docker/containers'], denied: { '/var/lib/docker/containers': 'EACCES' } });
    expect(await gatherContainerLogs(probe, '/var/lib/docker', gaps)).toBeNull();
    expect(gaps).toEqual(['/var/lib/docker/containers cannot be read (EACCES): container log sizes are unknown; run dockwarden as root.']);
  });
  it('reads sizes through a symlinked data root', async () => {
    const probe = fakeHostProbe({ links: { '/var/lib/docker': '/srv/docker' }, sizes: { '/srv/docker/containers/abc/abc-json.log': 5_000_000_000 } });
    expect(await gatherContainerLogs(probe, '/var/lib/docker', [])).toEqual({
      count: 1,
      totalBytes: 5_000_000_000,
      largest: [{ containerId: 'abc', path: '/var/lib/docker/containers/abc/abc-json.log', bytes: 5_000_000_000 }],
    });
  });
});
