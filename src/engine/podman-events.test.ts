import { describe, expect, it } from 'vitest';
import { canonicalImageId } from './image-id.js';
import { dockerAction } from './podman-events.js';

describe('dockerAction', () => {
  it("renames Podman's event actions to dockerd's and leaves the rest", () => {
    expect(dockerAction('image', 'loadfromarchive')).toBe('load');
    expect(dockerAction('image', 'remove')).toBe('delete');
    expect(dockerAction('container', 'remove')).toBe('destroy');
    expect(dockerAction('container', 'create')).toBe('create');
    expect(dockerAction('container', 'exec_start: sh')).toBe('exec_start: sh');
    expect(dockerAction('network', 'remove')).toBe('remove');
  });
});

describe('canonicalImageId', () => {
  it("prefixes Podman's bare ids and leaves the rest", () => {
    const hex = 'b8e64d4da94832d0cdcc35772ca8e19d2e73f2e60712b7a6db9ee97632f0aad1';
    expect(canonicalImageId(hex)).toBe(`sha256:${hex}`);
    expect(canonicalImageId(`sha256:${hex}`)).toBe(`sha256:${hex}`);
    expect(canonicalImageId('localhost/app:1')).toBe('localhost/app:1');
    expect(canonicalImageId(hex.slice(0, 12))).toBe(hex.slice(0, 12));
  });
});
