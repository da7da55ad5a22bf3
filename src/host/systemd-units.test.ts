import { describe, expect, it } from 'vitest';
import { loadSystemdUnit } from './systemd-units.js';
import { fakeHostProbe } from './testing/fake-host-probe.js';

const UNIT = '/lib/systemd/system/docker.service';
const DROP_IN_DIR = '/etc/systemd/system/docker.service.d';

describe('loadSystemdUnit', () => {
  it('reads the unit and its drop-ins in filename order', async () => {
    const probe = fakeHostProbe({ files: { [UNIT]: '[Service]\n', [`${DROP_IN_DIR}/b.conf`]: 'b', '/run/systemd/system/docker.service.d/a.conf': 'a' } });
    const gaps: string[] = [];
    const unit = await loadSystemdUnit(probe, 'docker.service', gaps);
    expect(unit.files.map((f) => f.path)).toEqual([UNIT, '/run/systemd/system/docker.service.d/a.conf', `${DROP_IN_DIR}/b.conf`]);
    expect(gaps).toEqual([]);
  });

  it('says in the gaps that a drop-in directory it may not list could hold settings', async () => {
    const probe = fakeHostProbe({ files: { [UNIT]: '[Service]\n', [`${DROP_IN_DIR}/data-root.conf`]: '[Service]\nExecStart=\n' }, denied: { [DROP_IN_DIR]: 'EACCES' } });
    const gaps: string[] = [];
    const unit = await loadSystemdUnit(probe, 'docker.service', gaps);
    expect(unit.files.map((f) => f.path)).toEqual([UNIT]);
    expect(gaps).toEqual([`${DROP_IN_DIR} cannot be listed (EACCES): the docker.service drop-ins in it, which may set the data root, are unknown; run dockwarden as root.`]);
  });

  it('reports an unreadable drop-in file by name', async () => {
    const probe = fakeHostProbe({ files: { [UNIT]: '[Service]\n', [`${DROP_IN_DIR}/x.conf`]: 'x' }, denied: { [`${DROP_IN_DIR}/x.conf`]: 'EACCES' } });
    const gaps: string[] = [];
    await loadSystemdUnit(probe, 'docker.service', gaps);
    expect(gaps).toEqual([`${DROP_IN_DIR}/x.conf cannot be read (EACCES): the docker.service settings in it are unknown; run dockwarden as root.`]);
  });
});
