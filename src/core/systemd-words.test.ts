import { describe, expect, it } from 'vitest';
import { expandWords, parseEnvironmentWords, splitWords } from './systemd-words.js';

describe('splitWords', () => {
  it('splits at whitespace and removes quotes and escapes', () => {
    expect(splitWords(`/usr/bin/dockerd --data-root "/mnt/docker data" --label 'a b' x\\ y ""`)).toEqual(['/usr/bin/dockerd', '--data-root', '/mnt/docker data', '--label', 'a b', 'x y', '']);
  });
  it('joins quotes inside a word', () => {
    expect(splitWords('--data-root="/a b"')).toEqual(['--data-root=/a b']);
  });
});

describe('parseEnvironmentWords', () => {
  it('reads quoted assignments and ignores words that are not', () => {
    expect(parseEnvironmentWords('"HTTP_PROXY=http://p:3128" NO_PROXY=localhost junk 1X=2')).toEqual([
      { name: 'HTTP_PROXY', value: 'http://p:3128' },
      { name: 'NO_PROXY', value: 'localhost' },
    ]);
  });
});

describe('expandWords', () => {
  const vars: Record<string, { value: string; source: string }> = {
    OPTIONS: { value: '--graph /data/docker  --log-driver=journald', source: '/etc/sysconfig/docker' },
    ROOT: { value: '/srv/docker root', source: 'Environment=' },
  };
  const lookup = (name: string) => vars[name];

  it('splits a whole-word $VAR at whitespace, remembering where each word came from', () => {
    expect(expandWords(['dockerd', '$OPTIONS'], lookup)).toEqual([
      { word: 'dockerd', source: 'literal' },
      { word: '--graph', source: '/etc/sysconfig/docker', variable: 'OPTIONS' },
      { word: '/data/docker', source: '/etc/sysconfig/docker', variable: 'OPTIONS' },
      { word: '--log-driver=journald', source: '/etc/sysconfig/docker', variable: 'OPTIONS' },
    ]);
  });
  it('replaces ${VAR} in place without splitting', () => {
    expect(expandWords(['--data-root=${ROOT}'], lookup)).toEqual([{ word: '--data-root=/srv/docker root', source: 'Environment=', variable: 'ROOT' }]);
  });
  it('drops an unset $VAR entirely, leaves braceless $VAR inside a word, and unescapes $$ and %%', () => {
    expect(expandWords(['$UNSET', '--x=$ROOT', 'a$$b', '100%%'], lookup).map((w) => w.word)).toEqual(['--x=$ROOT', 'a$b', '100%']);
  });
});
