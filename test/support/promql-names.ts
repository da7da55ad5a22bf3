// The metric names a PromQL expression (or a Grafana target, with its $variables)
// selects. Not a PromQL parser: strings, label matchers, ranges, grouping lists and
// function names are removed, and what is left that looks like a name is a metric.
// Enough to tell a dashboard or a rule that names a metric the agent does not export.

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'inf', 'nan']);

export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/\[[^\]]*\]/g, '[]')
    .replace(/\$\{?\w+\}?/g, '0')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const m of stripped.matchAll(/(?<![A-Za-z0-9_:.])[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const rest = stripped.slice((m.index ?? 0) + m[0].length).trimStart();
    if (rest.startsWith('(') || KEYWORDS.has(m[0].toLowerCase())) continue;
    names.add(m[0]);
  }
  return [...names].sort();
}

/** The values of `label="value"` equality matchers in an expression, e.g. the finding ids. */
export function labelValues(expr: string, label: string): string[] {
  return [...expr.matchAll(new RegExp(`\\b${label}\\s*=\\s*"([^"]*)"`, 'g'))].map((m) => m[1] as string);
}
