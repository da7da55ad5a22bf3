import { describe, expect, it } from 'vitest';
import { changesScan } from './scan-changes.js';

describe('changesScan', () => {
  it('is true for events that change images, containers or services', () => {
    expect(changesScan({ type: 'image', action: 'pull' })).toBe(true);
    expect(changesScan({ type: 'image', action: 'delete' })).toBe(true);
    expect(changesScan({ type: 'container', action: 'destroy' })).toBe(true);
    expect(changesScan({ type: 'service', action: 'update' })).toBe(true);
  });

  it('is false for events a scan does not read', () => {
    expect(changesScan({ type: 'container', action: 'exec_start' })).toBe(false);
    expect(changesScan({ type: 'container', action: 'health_status: healthy' })).toBe(false);
    expect(changesScan({ type: 'network', action: 'connect' })).toBe(false);
    expect(changesScan({ type: 'image', action: 'pulled' })).toBe(false);
  });
});
