import { describe, expect, it } from 'vitest';
import { parseEnvFile, shellName, systemdAccepts } from './env-file.js';

describe('parseEnvFile', () => {
  it("reads CentOS 7's /etc/sysconfig/docker, dropping its shell `if` block lines", () => {
    const text = [
      '# /etc/sysconfig/docker',
      '',
      "OPTIONS='--selinux-enabled --log-driver=journald --signature-verification=false'",
      'if [ -z "${DOCKER_CERT_PATH}" ]; then',
      '    DOCKER_CERT_PATH=/etc/docker',
      'fi',
    ].join('\n');
    expect(parseEnvFile(text)).toEqual([
      {
        key: 'OPTIONS',
        value: '--selinux-enabled --log-driver=journald --signature-verification=false',
        text: "OPTIONS='--selinux-enabled --log-driver=journald --signature-verification=false'",
        line: 3,
      },
      { key: 'DOCKER_CERT_PATH', value: '/etc/docker', text: 'DOCKER_CERT_PATH=/etc/docker', line: 5 },
    ]);
  });
  it('handles double quotes with escapes, trailing blanks, empty values and continuations', () => {
    const out = parseEnvFile('A="x \\"y\\" \\$z"\nB=plain value   \nC=\nD=one\\\ntwo\n; comment\n');
    expect(out.map((a) => [a.key, a.value])).toEqual([
      ['A', 'x "y" $z'],
      ['B', 'plain value'],
      ['C', ''],
      ['D', 'onetwo'],
    ]);
  });
  it('keeps `export NAME=` lines but marks them as ignored by systemd', () => {
    const [a] = parseEnvFile('export DOCKER_OPTS="-g /data"\n');
    expect(a).toMatchObject({ key: 'export DOCKER_OPTS', value: '-g /data' });
    expect(systemdAccepts(a!)).toBe(false);
    expect(shellName(a!)).toBe('DOCKER_OPTS');
  });
});
