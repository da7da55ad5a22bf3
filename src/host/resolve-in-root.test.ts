import { describe, expect, it } from 'vitest';
import { resolveInRoot, type PathEntry } from './resolve-in-root.js';

function tree(entries: Record<string, string | null>) {
  return async (p: string): Promise<PathEntry> => {
    if (!(p in entries)) return { kind: 'missing' };
    const target = entries[p];
    return target === null || target === undefined ? { kind: 'other' } : { kind: 'link', target };
  };
}

describe('resolveInRoot', () => {
  const inspect = tree({
    '/var': null,
    '/var/lib': null,
    '/var/lib/docker': '/data/docker',
    '/data': null,
    '/data/docker': null,
    '/data/docker/containers': null,
    '/etc': null,
    '/etc/escape': '../../../../data',
    '/loop': '/loop',
  });

  it('follows an absolute symlink inside the root, not on the machine running the test', async () => {
    expect(await resolveInRoot('/var/lib/docker/containers', inspect)).toEqual({ path: '/data/docker/containers', missing: [] });
  });
  it('keeps a relative link from climbing above the root, as chroot does', async () => {
    expect(await resolveInRoot('/etc/escape/docker', inspect)).toEqual({ path: '/data/docker', missing: [] });
  });
  it('reports the deepest existing directory of a path that does not exist yet', async () => {
    expect(await resolveInRoot('/var/lib/docker/volumes/x', inspect)).toEqual({ path: '/data/docker', missing: ['volumes', 'x'] });
  });
  it('gives up on a symlink loop with ELOOP instead of spinning', async () => {
    await expect(resolveInRoot('/loop/x', inspect)).rejects.toMatchObject({ code: 'ELOOP' });
  });
});
