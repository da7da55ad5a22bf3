import { describe, expect, it } from 'vitest';
import { checkThinpool } from './check-thinpool.js';
import { makeFacts } from './testing/build-facts.js';

const LOW: [string, string][] = [
  ['Pool Name', 'docker-thinpool'],
  ['Data Space Used', '93.4GB'],
  ['Data Space Total', '102GB'],
  ['Data Space Available', '8.6GB'],
  ['Metadata Space Used', '120MB'],
  ['Metadata Space Total', '1.07GB'],
  ['Metadata Space Available', '950MB'],
  ['Deferred Removal Enabled', 'true'],
  ['Deferred Deletion Enabled', 'true'],
];

describe('checkThinpool', () => {
  it('reads the pool of "device mapper" however it is spelled', () => {
    for (const Driver of ['devicemapper', 'device mapper', 'Device-Mapper']) {
      const { findings } = checkThinpool(makeFacts({ info: { Driver, DriverStatus: LOW } }));
      expect(
        findings.map((f) => `${f.id}:${f.severity}`),
        Driver,
      ).toEqual(['thinpool.space-low:critical']);
    }
  });

  it('lists both checks as not checked for a driver it does not know', () => {
    const { findings, notChecked } = checkThinpool(makeFacts({ info: { Driver: 'dm-thin', DriverStatus: LOW } }));
    expect(findings).toEqual([]);
    expect(notChecked.map((n) => n.id)).toEqual(['thinpool.space-low', 'thinpool.no-deferred']);
    expect(notChecked[0]?.reason).toContain('"dm-thin" is not one dockwarden knows');
  });

  it('stays out of the way of every other known driver', () => {
    expect(checkThinpool(makeFacts({ info: { Driver: 'overlay2' } }))).toEqual({ findings: [], notChecked: [] });
  });
});
