// Random damage to valid .flow text, for the tests that require the compiler never to throw:
// token deletions, swaps, duplications, truncations and inserted random bytes.
import fc from 'fast-check';

/** Word, number, string, punctuation and whitespace runs: the unit the mutations act on. */
export function flowTokens(text: string): string[] {
  return text.match(/[A-Za-z_][A-Za-z0-9_]*|\d+[a-z]*|"(?:[^"\\\n]|\\.)*"|\s+|[^\sA-Za-z0-9_"]{1,2}|./g) ?? [];
}

export type Mutation =
  | { readonly kind: 'delete'; readonly at: number }
  | { readonly kind: 'swap'; readonly at: number; readonly with: number }
  | { readonly kind: 'duplicate'; readonly at: number }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'bytes'; readonly at: number; readonly bytes: string };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), with: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('bytes' as const), at: fc.nat(), bytes: fc.string({ unit: 'binary', maxLength: 8 }) }),
);

/** `text` with `mutations` applied in order. */
export function mutate(text: string, mutations: readonly Mutation[]): string {
  let parts = flowTokens(text);
  for (const m of mutations) {
    if (parts.length === 0) break;
    const at = m.at % parts.length;
    switch (m.kind) {
      case 'delete':
        parts.splice(at, 1);
        break;
      case 'swap': {
        const other = m.with % parts.length;
        [parts[at], parts[other]] = [parts[other] ?? '', parts[at] ?? ''];
        break;
      }
      case 'duplicate':
        parts.splice(at, 0, parts[at] ?? '');
        break;
      case 'truncate':
        parts = parts.slice(0, at);
        break;
      case 'bytes':
        parts.splice(at, 0, m.bytes);
        break;
    }
  }
  return parts.join('');
}
