import { describe, expect, it } from 'vitest';
import { checkStorageDriver } from './check-storage-driver.js';
import { runDoctor } from './run-doctor.js';
import { makeFacts } from './testing/build-facts.js';

const LOOP = [
  ['Data file', '/dev/loop0'],
  ['Data loop file', '/var/lib/docker/devicemapper/devicemapper/data'],
] as [string, string][];

describe('checkStorageDriver and the names drivers go by', () => {
  it('judges "Device Mapper" as devicemapper (a facts file keeps what the engine or the user wrote), and shows both names', () => {
    const { findings } = checkStorageDriver(makeFacts({ info: { Driver: 'Device Mapper', DriverStatus: LOOP } }));
    expect(findings.map((f) => `${f.id}:${f.severity}`)).toEqual(['storage.devicemapper-loop:critical', 'storage.deprecated-driver:warning']);
    expect(findings[0]?.evidence[0]).toBe('Storage Driver: Device Mapper (read as devicemapper)');
  });

  it('judges "overlay 2" without d_type as overlay2 without d_type', () => {
    const facts = makeFacts({
      info: {
        Driver: 'overlay 2',
        DriverStatus: [
          ['Backing Filesystem', 'xfs'],
          ['Supports d_type', 'false'],
        ],
      },
    });
    expect(checkStorageDriver(facts).findings.map((f) => f.id)).toEqual(['storage.no-dtype']);
  });

  it('lists a driver it does not know as not checked, naming it, instead of passing it as healthy', () => {
    const { findings, notChecked } = checkStorageDriver(makeFacts({ info: { Driver: 'xyz', DriverStatus: [] } }));
    expect(findings).toEqual([]);
    expect(notChecked.map((n) => n.id)).toEqual(['storage.no-dtype', 'storage.devicemapper-loop', 'storage.deprecated-driver']);
    expect(notChecked[0]?.reason).toMatch(/^The storage driver "xyz" is not one dockwarden knows \(overlay2, overlay, devicemapper, .*\), so it was not judged\.$/);
  });

  it('an unknown driver reaches every storage check as not checked, and the report is not "healthy"', () => {
    const result = runDoctor(makeFacts({ info: { Driver: 'xyz', DriverStatus: [] } }));
    const unknown = result.notChecked.filter((n) => n.reason.includes('"xyz"')).map((n) => n.id);
    expect(unknown).toEqual([
      'storage.no-dtype',
      'storage.devicemapper-loop',
      'storage.deprecated-driver',
      'storage.fs-mismatch',
      'thinpool.space-low',
      'thinpool.no-deferred',
      'sizelimit.unavailable',
    ]);
  });

  it.each(['vfs', 'fuse-overlayfs', 'windowsfilter', 'overlayfs'])('knows %s: no storage finding and nothing left unjudged', (name) => {
    expect(checkStorageDriver(makeFacts({ info: { Driver: name, DriverStatus: [] } }))).toEqual({ findings: [], notChecked: [] });
  });
});
