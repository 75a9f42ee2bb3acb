// Codes of the check phase: names, types, windows, aggregates, patterns, connectors.
import { defineMessages } from '../define.ts';
import { didYouMean } from '../suggest.ts';

export const checkMessages = defineMessages({
  field_unknown: {
    severity: 'error',
    summary: 'A field that the record in scope does not have.',
    text: (field: string, record: string, known: readonly string[]) => {
      const suggestion = didYouMean(field, known);
      return {
        message: `unknown field \`${field}\` in \`${record}\``,
        ...(suggestion === undefined ? {} : { suggestion }),
      };
    },
  },
});
