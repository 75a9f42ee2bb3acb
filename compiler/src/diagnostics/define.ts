import type { MessageText, Severity } from './diagnostic.ts';

/** One diagnostic code: its severity, a one-line summary for the docs, and its message function. */
export interface MessageDefinition<Args extends unknown[]> {
  readonly severity: Severity;
  readonly summary: string;
  readonly text: (...args: Args) => MessageText;
}

// `any` would be the natural bound here; `never[]` keeps the catalog typed without it.
export type MessageCatalog = Record<string, MessageDefinition<never[]>>;

/** Identity with a type check: each entry keeps its own argument types. */
export function defineMessages<T extends { [code: string]: MessageDefinition<never[]> }>(catalog: T): T {
  return catalog;
}
