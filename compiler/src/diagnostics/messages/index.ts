// The one catalog of diagnostic codes: every phase's messages, merged. docs/diagnostics.md is
// generated from it (`npm run docs:diagnostics`), and a test keeps the two in step.
import { parseMessages } from './parse.ts';
import { checkMessages } from './check.ts';
import { planMessages } from './plan.ts';

export const messages = { ...parseMessages, ...checkMessages, ...planMessages };

export type DiagnosticCode = keyof typeof messages;
export type MessageArgs<C extends DiagnosticCode> = Parameters<(typeof messages)[C]['text']>;

export const phaseCatalogs = {
  parse: parseMessages,
  check: checkMessages,
  plan: planMessages,
} as const;
