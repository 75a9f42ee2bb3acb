// Codes of the plan phase. All are warnings: a program that checks can always be planned; these
// point at plans that will work but cost more than the author probably meant.
import { defineMessages } from '../define.ts';

export const planMessages = defineMessages({
  stream_unused: {
    severity: 'warning',
    summary: 'A source, stream, aggregate or pattern that nothing reads and no `emit` sends anywhere.',
    text: (kind: string, name: string) => ({
      message: `${kind} \`${name}\` is never used: no declaration reads it and no \`emit\` sends it anywhere`,
      suggestion: `emit it (\`emit ${name} to log()\`), read it from another declaration, or remove it`,
    }),
  },
  count_distinct_unbounded: {
    severity: 'warning',
    summary: 'An exact `count_distinct` over a field with unbounded values in a long window keeps every value in memory.',
    text: (call: string, window: string, estimate: string) => ({
      message: `exact \`${call}\` keeps every distinct value of a ${window} window in memory (about ${estimate})`,
      suggestion: `use \`approx_${call}\` (HyperLogLog, 4 KiB per window, about 1.6 % error)`,
    }),
  },
  pattern_state_unbounded: {
    severity: 'warning',
    summary: 'A pattern step with an unbounded quantifier and no `within` can hold events forever.',
    text: (step: string, pattern: string) => ({
      message: `step \`${step}\` of pattern \`${pattern}\` collects any number of events and nothing bounds how long a partial match lives`,
      suggestion: 'add `within <duration>` to the step or to the pattern',
    }),
  },
  window_panes_excessive: {
    severity: 'warning',
    summary: 'A sliding window with a slide so much shorter than its size that every firing merges very many panes.',
    text: (size: string, slide: string, pane: string, panes: number) => ({
      message: `\`sliding ${size} every ${slide}\` is evaluated over ${pane} panes: every firing merges ${panes} of them`,
      suggestion: 'use a longer slide, or a tumbling window with `emit every` for a live view',
    }),
  },
});
