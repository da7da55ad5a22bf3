import { z } from 'zod';
import { InternalError } from '../core/errors.js';
import { FINDING_IDS, type Finding } from '../finding.js';

// The JSON columns are read back through zod: the file outlives the process that wrote
// it and anyone with root can edit it, so a row that no longer has the shape is reported
// by its table and key instead of surfacing later as `undefined` in the dashboard.

const findingSchema = z.object({
  id: z.enum(FINDING_IDS),
  severity: z.enum(['critical', 'warning', 'info']),
  title: z.string(),
  detail: z.string(),
  evidence: z.array(z.string()),
  fix: z.object({ summary: z.string(), commands: z.array(z.string()) }),
});

const attributesSchema = z.record(z.string(), z.string());

function parse<T>(schema: z.ZodType<T>, text: string, where: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InternalError(`The store's ${where} is not JSON: ${(err as Error).message}.`);
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new InternalError(`The store's ${where} does not have the expected shape: ${issues}.`);
  }
  return result.data;
}

export const parseFinding = (text: string, id: string): Finding => parse(findingSchema, text, `finding ${id}`);

export const parseAttributes = (text: string, rowId: number): Record<string, string> => parse(attributesSchema, text, `event ${rowId} attributes`);
