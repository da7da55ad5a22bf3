import { describe, expect, it } from 'vitest';
import type { Finding } from '../finding.js';
import type { StoredFinding } from '../store/agent-store.js';
import { findingChanges } from './finding-changes.js';

const finding = (id: Finding['id'], severity: Finding['severity']): Finding => ({ id, severity, title: id, detail: '', evidence: [], fix: { summary: '', commands: [] } });
const stored = (f: Finding): StoredFinding => ({ finding: f, firstSeen: 0, lastSeen: 0, resolvedAt: null });

describe('findingChanges', () => {
  it('reports new, escalated and resolved findings, and nothing for one that stays as it was', () => {
    const open = [stored(finding('disk.pressure', 'warning')), stored(finding('logging.none', 'warning')), stored(finding('swarm.no-rollback', 'warning'))];
    const current = [finding('disk.pressure', 'critical'), finding('logging.none', 'warning'), finding('data-root.drift', 'critical')];
    expect(findingChanges(open, current).map((c) => [c.kind, c.finding.id, c.finding.severity])).toEqual([
      ['escalated', 'disk.pressure', 'critical'],
      ['new', 'data-root.drift', 'critical'],
      ['resolved', 'swarm.no-rollback', 'warning'],
    ]);
  });

  it('does not page again when a finding eases from critical to warning', () => {
    expect(findingChanges([stored(finding('disk.pressure', 'critical'))], [finding('disk.pressure', 'warning')])).toEqual([]);
  });
});
