import { SEVERITY_ORDER, type Finding } from '../finding.js';
import type { StoredFinding } from '../store/agent-store.js';

// What changed since the last look: the transitions an operator is told about (the
// webhook fires on these and nothing else, so a finding that stays open never pages twice,
// not even across an agent restart, because "open" lives in the store).

export type ChangeKind = 'new' | 'escalated' | 'resolved';

export interface FindingChange {
  kind: ChangeKind;
  finding: Finding;
}

const rank = (f: Finding) => SEVERITY_ORDER.indexOf(f.severity);

export function findingChanges(open: readonly StoredFinding[], current: readonly Finding[]): FindingChange[] {
  const before = new Map(open.map((s) => [s.finding.id, s.finding]));
  const now = new Set(current.map((f) => f.id));
  const changes: FindingChange[] = [];
  for (const f of current) {
    const was = before.get(f.id);
    if (!was) changes.push({ kind: 'new', finding: f });
    else if (rank(f) < rank(was)) changes.push({ kind: 'escalated', finding: f });
  }
  for (const [id, f] of before) if (!now.has(id)) changes.push({ kind: 'resolved', finding: f });
  return changes;
}
