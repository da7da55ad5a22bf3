import { describe, expect, it } from 'vitest';
import { UsageError } from './errors.js';
import { formatBytes, parseHumanSize } from './human-size.js';

describe('parseHumanSize', () => {
  it.each([
    // go-units HumanSize: decimal, 4 significant digits, with (old) or without (new) a space.
    ['99.71GB', 99_710_000_000],
    ['107.4GB', 107_400_000_000],
    ['107.4 GB', 107_400_000_000],
    ['524.3kB', 524_300],
    ['65.54 kB', 65_540],
    ['1.68 GB', 1_680_000_000],
    ['2.147 GB', 2_147_000_000],
    ['5.701 TB', 5_701_000_000_000],
    ['1.2PB', 1_200_000_000_000_000],
    // go-units BytesSize: binary.
    ['7.638GiB', 8_201_240_052],
    ['1.952 GiB', 2_095_944_040],
    ['512 KiB', 524_288],
    ['62.74GiB', 67_366_562_038],
    ['1TiB', 1024 ** 4],
    // Bytes.
    ['0 B', 0],
    ['0B', 0],
    ['123B', 123],
    ['249856', 249_856],
    ['103498395648', 103_498_395_648],
    // Spellings people type: "KB" and "k" are decimal too.
    ['65.54KB', 65_540],
    ['65.54 k', 65_540],
    ['10m', 10_000_000],
    ['1.5 gb', 1_500_000_000],
    ['2Gi', 2 * 1024 ** 3],
    ['  3.5 MB  ', 3_500_000],
    ['.5kB', 500],
    ['1e3kB', 1_000_000],
  ])('%s is %d bytes', (text, bytes) => {
    expect(parseHumanSize(text)).toBe(bytes);
  });

  it('is exact where float multiplication is not', () => {
    expect(2.147 * 1e9).not.toBe(2_147_000_000);
    expect(parseHumanSize('99.71GB')).toBe(99_710_000_000);
    expect(parseHumanSize('2.147 GB')).toBe(2_147_000_000);
  });

  it('always returns an integer', () => {
    for (const text of ['1.952 GiB', '7.638GiB', '0.5 B', '3.3kB']) {
      expect(Number.isInteger(parseHumanSize(text))).toBe(true);
    }
  });

  it.each(['', '   ', 'GB', 'abc', '12 parsecs', '1.2.3GB', '-5GB', '5 GBB', '12iB', 'N/A', '10 GB free'])('rejects %j with a UsageError', (text) => {
    expect(() => parseHumanSize(text)).toThrow(UsageError);
  });

  it('names the bad text in one line', () => {
    expect(() => parseHumanSize('lots\nof space')).toThrow(/^"lots\\nof space" is not a size such as "99.71GB"/);
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [512, '512 B'],
    [1023, '1023 B'],
    [1024, '1 KiB'],
    [1536, '1.5 KiB'],
    [1.5 * 1024 ** 3, '1.5 GiB'],
    [1.25 * 1024 ** 3, '1.25 GiB'],
    [15.3 * 1024 ** 3, '15.3 GiB'],
    [100 * 1024 ** 3, '100 GiB'],
    [152.4 * 1024 ** 3, '152 GiB'],
    [2 * 1024 ** 4, '2 TiB'],
    [-2048, '-2 KiB'],
  ])('%d is %s', (n, text) => {
    expect(formatBytes(n)).toBe(text);
  });

  it('reads back through parseHumanSize within rounding', () => {
    const n = 8_201_240_052;
    expect(Math.abs(parseHumanSize(formatBytes(n)) - n) / n).toBeLessThan(0.01);
  });
});
