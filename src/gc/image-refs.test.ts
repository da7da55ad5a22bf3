import { describe, expect, it } from 'vitest';
import { parseRef, refIndex } from './image-refs.js';
import { id, image } from './testing/build-inventory.js';

const digest = (c: string): string => `sha256:${c.repeat(64)}`;
const BUSYBOX_DIGEST = digest('b');
const APP_DIGEST = digest('a');
const UNKNOWN_DIGEST = digest('f');

describe('parseRef', () => {
  it.each([
    ['busybox', { name: 'busybox', tag: null, digest: null }],
    ['busybox:1.36', { name: 'busybox', tag: '1.36', digest: null }],
    ['docker.io/library/busybox:1.36', { name: 'busybox', tag: '1.36', digest: null }],
    ['index.docker.io/library/busybox', { name: 'busybox', tag: null, digest: null }],
    ['library/busybox', { name: 'busybox', tag: null, digest: null }],
    ['docker.io/fill/img:2', { name: 'fill/img', tag: '2', digest: null }],
    ['registry:5000/app:1', { name: 'registry:5000/app', tag: '1', digest: null }],
    ['registry:5000/app', { name: 'registry:5000/app', tag: null, digest: null }],
    ['registry:5000/library/app', { name: 'registry:5000/library/app', tag: null, digest: null }],
    [`app@${APP_DIGEST}`, { name: 'app', tag: null, digest: APP_DIGEST }],
    [`app:2@${APP_DIGEST}`, { name: 'app', tag: '2', digest: APP_DIGEST }],
  ])('reads %s in its familiar form', (ref, parsed) => {
    expect(parseRef(ref)).toEqual(parsed);
  });
});

describe('refIndex.resolve', () => {
  const images = [
    image('busybox', { tags: ['busybox:latest'], digests: [`busybox@${BUSYBOX_DIGEST}`] }),
    image('app', { tags: ['app:2', 'registry:5000/app:1'], digests: [`app@${APP_DIGEST}`] }),
    image('fill', { tags: ['fill/img:3'] }),
    image('busybox-old', { tags: ['busybox:old'] }),
    // Two ids that agree on their first 12 hex digits ("twins-" is 6 bytes).
    image('twins-a', { tags: [] }),
    image('twins-b', { tags: [] }),
  ];
  const refs = refIndex(images);
  const hex = (name: string): string => id(name).slice('sha256:'.length);

  it.each([
    ['busybox', 'busybox'],
    ['busybox:latest', 'busybox'],
    ['docker.io/library/busybox', 'busybox'],
    ['library/busybox:latest', 'busybox'],
    ['app:2', 'app'],
    ['docker.io/library/app:2', 'app'],
    ['registry:5000/app:1', 'app'],
    ['docker.io/fill/img:3', 'fill'],
    [`busybox@${BUSYBOX_DIGEST}`, 'busybox'],
    [`app:2@${APP_DIGEST}`, 'app'],
    [`docker.io/library/app@${APP_DIGEST}`, 'app'],
  ])('resolves %s to the image it names', (ref, name) => {
    expect(refs.resolve(ref)).toBe(id(name));
  });

  it('trusts a known digest over the tag written beside it', () => {
    expect(refs.resolve(`busybox:old@${BUSYBOX_DIGEST}`)).toBe(id('busybox'));
  });

  it('falls back to the tag when the pinned digest was never pulled here', () => {
    expect(refs.resolve(`app:2@${UNKNOWN_DIGEST}`)).toBe(id('app'));
  });

  it('does not fall back to latest for a digest-only reference this host never pulled', () => {
    expect(refs.resolve(`busybox@${UNKNOWN_DIGEST}`)).toBeNull();
  });

  it.each([
    ['a full id', (name: string) => id(name)],
    ['a full id without sha256:', (name: string) => hex(name)],
    ['a 12-digit id prefix', (name: string) => hex(name).slice(0, 12)],
    ['a 12-digit id prefix with sha256:', (name: string) => `sha256:${hex(name).slice(0, 12)}`],
  ])('resolves %s of an untagged image', (_what, spell) => {
    expect(refs.resolve(spell('fill'))).toBe(id('fill'));
  });

  it('resolves a prefix long enough to tell apart two ids whose first 12 digits agree', () => {
    expect(refs.resolve(hex('twins-b').slice(0, 14))).toBe(id('twins-b'));
  });

  it.each([
    ['an untagged name whose latest tag does not exist', 'app'],
    ['a tag that does not exist', 'app:3'],
    ['the same name in another registry', 'other.registry/busybox'],
    ['a registry name without the tag the image has', 'registry:5000/app'],
    ['an id prefix two images share', `sha256:${id('twins-a').slice(7, 19)}`],
    ['an id prefix shorter than 12 digits', id('fill').slice(7, 18)],
    ['an unknown id', digest('e')],
    ['an empty reference', ''],
  ])('resolves %s to null', (_what, ref) => {
    expect(refs.resolve(ref)).toBeNull();
  });
});

describe('refIndex reads every spelling of a listed reference as parseRef does', () => {
  // Tags and digests are indexed without parsing when they are already in familiar form;
  // each spelling must land on the same key as parsing it would give.
  const listed = [
    'busybox:latest',
    'hello',
    'docker.io/library/alpine:3',
    'library/debian:12',
    'index.docker.io/fill/img:2',
    'registry-1.docker.io/library/node',
    'registry:5000/app:1',
    'registry:5000/app',
    'registry:5000/library/app:7',
    'd/e:1',
    'i:2',
    'r/x',
    'l:3',
    'lib/x:1',
  ];
  const images = listed.map((tag, i) => image(`img-${i}`, { tags: [tag], digests: [`${tag.replace(/:[^:/]*$/, '')}@${digest(String(i % 10))}`] }));
  const refs = refIndex(images);

  it.each(listed.map((tag, i) => [tag, i] as const))('resolves %s by its parsed name and tag, and by its digest', (tag, i) => {
    const p = parseRef(tag);
    expect(refs.resolve(`${p.name}:${p.tag ?? 'latest'}`)).toBe(id(`img-${i}`));
    expect(refs.resolve(`${p.name}@${digest(String(i % 10))}`)).toBe(id(`img-${i}`));
  });
});
