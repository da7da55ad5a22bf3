import { DockerfileParser, ModifiableInstruction } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';

// A Dockerfile as stages of instructions, for checks that cannot build the image (no
// registry is reachable from the test machines). Parsing and the syntax diagnostics come
// from dockerfile-ast / dockerfile-utils, the parser and linter behind VS Code's Docker
// support; this file only groups their output by stage and resolves ARG defaults in FROM.

export interface DockerInstruction {
  keyword: string;
  /** Arguments as written, flags removed, line continuations joined. */
  args: string;
  /** The arguments split as Docker splits them (quotes kept). */
  words: string[];
  flags: Record<string, string | null>;
  line: number;
}

export interface DockerStage {
  /** `AS name`, or null. */
  name: string | null;
  /** The base image with ARG defaults substituted. */
  image: string;
  instructions: DockerInstruction[];
}

export interface DockerfileModel {
  stages: DockerStage[];
  /** Syntax problems found by dockerfile-utils (unknown flags, bad ports, bad JSON...). */
  diagnostics: string[];
}

export function parseDockerfile(text: string): DockerfileModel {
  const dockerfile = DockerfileParser.parse(text);
  const globalArgs = new Map<string, string>();
  const stages: DockerStage[] = [];
  for (const inst of dockerfile.getInstructions()) {
    const keyword = inst.getKeyword().toUpperCase();
    const flags: Record<string, string | null> = {};
    if (inst instanceof ModifiableInstruction) for (const f of inst.getFlags()) flags[f.getName()] = f.getValue();
    const entry: DockerInstruction = {
      keyword,
      args: inst.getArgumentsContent() ?? '',
      words: inst.getArguments().map((a) => a.getValue()),
      flags,
      line: inst.getRange().start.line + 1,
    };
    if (keyword === 'ARG' && stages.length === 0) {
      const [name, value] = entry.args.split('=', 2);
      if (name) globalArgs.set(name.trim(), (value ?? '').trim());
    }
    if (keyword === 'FROM') {
      const [image = '', as, name] = entry.words;
      const resolved = image.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string | undefined, b: string | undefined) => globalArgs.get(a ?? b ?? '') ?? '');
      stages.push({ name: as?.toUpperCase() === 'AS' ? (name ?? null) : null, image: resolved, instructions: [] });
      continue;
    }
    stages.at(-1)?.instructions.push(entry);
  }
  const diagnostics = validate(text).map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
  return { stages, diagnostics };
}

/** The exec-form (JSON array) arguments of CMD, ENTRYPOINT or HEALTHCHECK CMD; throws on shell form. */
export function execForm(inst: DockerInstruction): string[] {
  const json = inst.keyword === 'HEALTHCHECK' ? inst.args.replace(/^CMD\s+/i, '') : inst.args;
  const parsed: unknown = JSON.parse(json);
  if (!Array.isArray(parsed) || !parsed.every((p) => typeof p === 'string')) throw new Error(`line ${inst.line}: ${inst.keyword} is not in exec form`);
  return parsed;
}

/** Whether `path` (relative to the context) is excluded by a .dockerignore's patterns. */
export function dockerIgnored(path: string, patterns: string[]): boolean {
  let ignored = false;
  const clean = path.replace(/^\.\//, '').replace(/\/$/, '');
  for (const raw of patterns) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    const pattern = (negate ? line.slice(1) : line).replace(/^\//, '').replace(/\/$/, '');
    const re = new RegExp(
      `^${pattern
        .split('**')
        .map((part) =>
          part
            .replace(/[.+^${}()|[\]\\]/g, '\\$&')
            .replace(/\*/g, '[^/]*')
            .replace(/\?/g, '[^/]'),
        )
        .join('.*')}(/.*)?$`,
    );
    // A pattern also excludes everything below a matching directory.
    if (re.test(clean)) ignored = !negate;
  }
  return ignored;
}
