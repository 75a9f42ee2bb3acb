// A small line-oriented writer for generated code, and the final formatting pass (ts-morph's
// formatter: two-space indentation, semicolons), so every file comes out in one consistent style.
import { IndentationText, Project, QuoteKind, ts } from 'ts-morph';
import { commentText } from './naming.ts';

export class CodeWriter {
  readonly #lines: string[] = [];
  #indent = 0;

  /** One line at the current indentation. */
  line(text: string): this {
    this.#lines.push(text === '' ? '' : '  '.repeat(this.#indent) + text);
    return this;
  }

  /** An empty line, never two in a row and never at the start. */
  blankLine(): this {
    const last = this.#lines[this.#lines.length - 1];
    if (last !== undefined && last !== '' && !last.endsWith('{')) this.#lines.push('');
    return this;
  }

  /** A `/** … *\/` comment; several paragraphs become several lines. */
  doc(...paragraphs: readonly string[]): this {
    const lines = paragraphs.map(commentText).filter((p) => p !== '');
    if (lines.length === 0) return this;
    if (lines.length === 1) return this.line(`/** ${lines[0]} */`);
    this.line('/**');
    for (const l of lines) this.line(` * ${l}`);
    return this.line(' */');
  }

  /** `head {`, the body indented, then `}` plus `tail` (`;`, `,`, `);`). */
  block(head: string, body: () => void, tail = ''): this {
    this.line(`${head} {`);
    this.#indent++;
    body();
    this.#indent--;
    return this.line(`}${tail}`);
  }

  /** Runs `body` one level deeper. */
  indented(body: () => void): this {
    this.#indent++;
    body();
    this.#indent--;
    return this;
  }

  /** Appends another writer's lines at the current indentation. */
  append(other: CodeWriter): this {
    for (const l of other.lines()) this.line(l);
    return this;
  }

  lines(): readonly string[] {
    return this.#lines;
  }

  toString(): string {
    return `${this.#lines.join('\n')}\n`;
  }
}

let project: Project | undefined;

/**
 * Formats a generated file with the TypeScript formatter (through ts-morph). The text is already
 * laid out by the writer; formatting normalises spacing so the output is stable and tidy.
 */
export function formatTypeScript(fileName: string, text: string): string {
  project ??= new Project({
    useInMemoryFileSystem: true,
    manipulationSettings: { indentationText: IndentationText.TwoSpaces, quoteKind: QuoteKind.Single },
    compilerOptions: { target: ts.ScriptTarget.ES2022 },
  });
  const file = project.createSourceFile(`/${fileName}`, text, { overwrite: true });
  file.formatText({
    indentSize: 2,
    tabSize: 2,
    convertTabsToSpaces: true,
    semicolons: ts.SemicolonPreference.Insert,
    insertSpaceAfterOpeningAndBeforeClosingNonemptyBraces: true,
    insertSpaceAfterOpeningAndBeforeClosingNonemptyBrackets: false,
    placeOpenBraceOnNewLineForFunctions: false,
    placeOpenBraceOnNewLineForControlBlocks: false,
  });
  const formatted = file.getFullText();
  project.removeSourceFile(file);
  return formatted.endsWith('\n') ? formatted : `${formatted}\n`;
}
