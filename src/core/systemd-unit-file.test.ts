import { describe, expect, it } from 'vitest';
import { parseUnitFile } from './systemd-unit-file.js';

describe('parseUnitFile', () => {
  it('reads sections and keys, skipping comments', () => {
    const d = parseUnitFile('[Unit]\nDescription=Docker\n# ExecStart=/not/this\n; nor=this\n[Service]\nType=notify\nExecStart=\n');
    expect(d.map((x) => [x.section, x.key, x.value])).toEqual([
      ['Unit', 'Description', 'Docker'],
      ['Service', 'Type', 'notify'],
      ['Service', 'ExecStart', ''],
    ]);
  });
  it('joins backslash continuations with a space, keeping the start line', () => {
    const d = parseUnitFile('[Service]\nExecStart=/usr/bin/dockerd-current \\\n          --default-runtime=docker-runc \\\n\t  $OPTIONS\nKillMode=process\n');
    expect(d[0]).toMatchObject({ key: 'ExecStart', line: 2, text: 'ExecStart=/usr/bin/dockerd-current --default-runtime=docker-runc $OPTIONS' });
    expect(d[0]?.value.split(/\s+/)).toEqual(['/usr/bin/dockerd-current', '--default-runtime=docker-runc', '$OPTIONS']);
    expect(d[1]).toMatchObject({ key: 'KillMode', line: 5 });
  });
  it('drops a commented-out line inside a continuation without ending it', () => {
    const d = parseUnitFile('[Service]\nExecStart=/usr/bin/dockerd \\\n# -g /old \\\n  -H fd://\n');
    expect(d).toHaveLength(1);
    expect(d[0]?.value.split(/\s+/)).toEqual(['/usr/bin/dockerd', '-H', 'fd://']);
  });
});
