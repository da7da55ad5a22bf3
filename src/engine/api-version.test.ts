import { describe, expect, it } from 'vitest';
import { API_VERSION_MAX, negotiateApiVersion } from './api-version.js';

describe('negotiateApiVersion', () => {
  it("speaks Debian 12's engine version when it is below ours", () => {
    expect(negotiateApiVersion('1.41', '1.12', 'unix:///x')).toBe('1.41');
  });
  it('caps a newer engine at the highest version we know', () => {
    expect(negotiateApiVersion('1.52', '1.44', 'unix:///x')).toBe(API_VERSION_MAX);
  });
  it('compares minor versions as numbers, not text (1.100 is newer than 1.51)', () => {
    expect(negotiateApiVersion('1.100', '1.44', 'unix:///x')).toBe(API_VERSION_MAX);
  });
  it('refuses an engine older than Docker 1.12 with a sentence naming both versions', () => {
    expect(() => negotiateApiVersion('1.9', null, 'unix:///x')).toThrow(/speaks API 1.9; dockwarden needs at least 1.24/);
  });
  it('refuses an engine whose minimum is above our maximum', () => {
    expect(() => negotiateApiVersion('1.70', '1.60', 'unix:///x')).toThrow(/needs API 1.60 or newer/);
  });
});
