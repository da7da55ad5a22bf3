// The version of the facts file format (HostFacts): kept apart from the schema so that
// making facts does not load zod, which only reading them back needs.
export const FACTS_SCHEMA_VERSION = 1;
