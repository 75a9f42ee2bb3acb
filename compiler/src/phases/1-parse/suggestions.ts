// Suggestions for syntax errors, from the hints the parser attaches to a problem: a duration
// written with a space, a word that looks like a misspelt keyword, a block left open, or a keyword
// used as a name.
import type { SyntaxProblem } from '../../../../dsl/src/index.ts';
import { closestName, didYouMean } from '../../diagnostics/suggest.ts';

const closers = { '{': '}', '(': ')', '[': ']' } as const;

export function syntaxSuggestion(problem: SyntaxProblem): string | undefined {
  const { misspelt, unclosed, replacement } = problem;
  if (replacement !== null) return `write \`${replacement.text}\``;
  if (misspelt !== null) {
    // The word is the token the parser stumbled on, or (`windw tumbling 5s`) the one before it.
    if (misspelt.span.start.offset === problem.span.start.offset) {
      const suggestion = didYouMean(misspelt.word, misspelt.keywords);
      if (suggestion !== undefined) return suggestion;
    } else {
      const keyword = closestName(misspelt.word, misspelt.keywords);
      if (keyword !== undefined) return `did you mean \`${keyword}\` instead of \`${misspelt.word}\`?`;
    }
  }
  if (unclosed !== null) {
    const { bracket, span } = unclosed;
    return `add \`${closers[bracket]}\` to close the \`${bracket}\` opened on line ${span.start.line}`;
  }
  if (problem.keywordAsName) {
    return `\`${problem.found}\` is a reserved keyword and cannot be used as a name; choose another name`;
  }
  return undefined;
}
