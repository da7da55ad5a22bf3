import { describe, expect, it } from 'vitest';
import { StringIndex } from './string-index.js';

describe('StringIndex', () => {
  it('numbers keys in the order they are first added, and finds them again', () => {
    const index = new StringIndex(3);
    expect(['b', 'a', 'b', 'c'].map((k) => index.add(k))).toEqual([0, 1, 0, 2]);
    expect(index.size).toBe(3);
    expect(['a', 'b', 'c', 'd'].map((k) => index.find(k))).toEqual([1, 0, 2, -1]);
    expect(index.key(2)).toBe('c');
  });

  it('tells apart keys whose hashed tails are equal', () => {
    // Same length, same last 16 characters: the same hash, told apart by comparing keys.
    const keys = Array.from({ length: 40 }, (_, i) => `${String(i).padStart(3, '0')}-${'same tail, long '.repeat(2)}`);
    const index = new StringIndex(keys.length);
    for (const [i, k] of keys.entries()) expect(index.add(k)).toBe(i);
    for (const [i, k] of keys.entries()) expect(index.find(k)).toBe(i);
    expect(index.find(`999-${'same tail, long '.repeat(2)}`)).toBe(-1);
  });

  it('holds more keys than one chunk, and the empty string', () => {
    const keys = Array.from({ length: 10_000 }, (_, i) => `sha256:${i.toString(16).padStart(64, '0')}`);
    const index = new StringIndex(keys.length + 1);
    for (const k of keys) index.add(k);
    expect(index.add('')).toBe(10_000);
    expect(keys.every((k, i) => index.find(k) === i && index.key(i) === k)).toBe(true);
    expect(index.find('')).toBe(10_000);
  });

  it('refuses more keys than it was sized for', () => {
    const index = new StringIndex(1);
    index.add('a');
    expect(index.add('a')).toBe(0);
    expect(() => index.add('b')).toThrow(RangeError);
  });
});
