import { describe, expect, it } from 'vitest';
import { findJsonSyntaxError } from './json-syntax-error.js';

describe('findJsonSyntaxError', () => {
  it('finds nothing wrong with valid JSON', () => {
    expect(findJsonSyntaxError('{ "a": [1, 2.5e3, -0, true, null, "x\\u00e9\\n"] }\n')).toBeNull();
  });
  it('points at the property after a missing comma', () => {
    expect(findJsonSyntaxError('{\n  "data-root": "/mnt/docker-data"\n  "log-driver": "json-file"\n}\n')).toEqual({
      line: 3,
      column: 3,
      message: `expected ',' or '}' after the property value, found '"'`,
    });
  });
  it('names a trailing comma at the comma', () => {
    expect(findJsonSyntaxError('{\n  "live-restore": true,\n}')).toMatchObject({ line: 2, column: 23, message: "trailing comma before '}'" });
    expect(findJsonSyntaxError('{"storage-opts": ["a",]}')).toMatchObject({ message: "trailing comma before ']'" });
  });
  it('names comments and single quotes, which people carry over from other formats', () => {
    expect(findJsonSyntaxError('{\n  // root\n  "data-root": "/x"\n}')).toMatchObject({ line: 2, column: 3, message: 'comments are not allowed in JSON' });
    expect(findJsonSyntaxError("{'data-root': '/x'}")).toMatchObject({ line: 1, column: 2, message: 'strings must use double quotes, not single quotes' });
  });
  it('explains a Windows-style backslash in a path', () => {
    expect(findJsonSyntaxError('{"data-root": "D:\\docker"}')?.message).toMatch(/bad escape \\d in a string/);
  });
  it('reports an unterminated object at the end of the file', () => {
    expect(findJsonSyntaxError('{\n  "a": 1\n')).toMatchObject({ line: 3, column: 1, message: "unexpected end of file, expected ',' or '}' after the property value" });
  });
  it('reports content after the value', () => {
    expect(findJsonSyntaxError('{}\n{}')).toMatchObject({ line: 2, column: 1 });
  });
  it('reports a byte-order mark, which Go (and so dockerd) rejects', () => {
    expect(findJsonSyntaxError('\ufeff{}')).toMatchObject({ line: 1, column: 1, message: 'the file starts with a UTF-8 byte-order mark' });
  });
  it('reads 100,000 levels of nesting without overflowing the stack', () => {
    const deep = (n: number) => `{"a":${'['.repeat(n - 1)}${']'.repeat(n - 1)}}`;
    expect(findJsonSyntaxError(deep(10_000))).toBeNull();
    expect(findJsonSyntaxError(`${'['.repeat(100_000)}${']'.repeat(99_999)}`, 200_000)).toMatchObject({ message: "unexpected end of file, expected ',' or ']' after the array element" });
    expect(findJsonSyntaxError(`${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`, 200_000)).toBeNull();
  });
  it('stops where Go stops (more than 10,000 levels), or at the depth given', () => {
    expect(findJsonSyntaxError(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)).toEqual({ line: 1, column: 10_001, message: 'nested more than 10000 levels deep', tooDeep: true });
    expect(findJsonSyntaxError('{"a": [[[]]]}', 3)).toEqual({ line: 1, column: 9, message: 'nested more than 3 levels deep', tooDeep: true });
    expect(findJsonSyntaxError('{"a": [[1]]}', 3)).toBeNull();
  });
});
