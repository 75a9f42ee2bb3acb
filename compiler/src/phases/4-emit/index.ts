// Phase 4: the physical plan → TypeScript under generated/<pipeline>/.
//
//   types.ts       interfaces of schemas, nested records, stream/aggregate/pattern outputs; enums
//   decode.ts      a decoder specialised per schema (and a JSON-text fast path)
//   pipeline.ts    one section per plan node (named functions + descriptor) and the `topology`
//   manifest.ts    the PipelineManifest the dashboard reads
//   source-map.ts  plan node id → .flow line/column
//   index.ts       re-exports
//
// Every file starts with the DO-NOT-EDIT header naming the compiler version, the source and its
// hash, imports the runtime through one namespace import, and is formatted by ts-morph. The
// output depends only on the input: compiling twice gives identical bytes.
import { EmitContext, type EmitInput } from './context.ts';
import { decoderNames, emitDecoders } from './decoders.ts';
import { headerLine } from './header.ts';
import { emitManifest, emitSourceMap } from './manifest.ts';
import { emitPipeline } from './pipeline.ts';
import { CodeWriter, formatTypeScript } from './writer.ts';

export { EmitError, type EmitInput } from './context.ts';

export interface EmittedFile {
  /** Relative to `generated/<pipeline>/`. */
  readonly path: string;
  readonly content: string;
}

/** The import generated code reaches the runtime through. */
export const RUNTIME_IMPORT = "import * as rt from '../../runtime/src/index.ts';";

export function emit(input: EmitInput): EmittedFile[] {
  const ctx = new EmitContext(input);
  const schemaDecoders = [...ctx.analyzed.schemas.keys()].flatMap((s) => Object.values(decoderNames(s)));
  // The pipeline first: it declares the key and match types that types.ts then lists.
  const pipeline = emitPipeline(ctx, [...schemaDecoders, ...ctx.types.exportedNames(), 'topology', 'manifest', 'sourceMap']);
  const decoders = emitDecoders(ctx);
  const types = new CodeWriter();
  ctx.types.render(types);
  const typeNames = ctx.types.exportedNames();

  const header = headerLine(input.compilerVersion, input.sourcePath, ctx.hash);
  const file = (path: string, purpose: string, body: CodeWriter, imports: readonly string[] = []): EmittedFile => {
    const text = body.toString();
    const lines = [header, `// ${purpose}`];
    if (/\brt\./.test(text)) lines.push(RUNTIME_IMPORT);
    lines.push(...imports);
    return { path, content: formatTypeScript(path, `${lines.join('\n')}\n\n${text.replace(/^\n+/, '')}`) };
  };
  const used = (text: string, names: readonly string[]): string[] => names.filter((n) => new RegExp(`\\b${n}\\b`).test(text)).sort();
  const typeImport = (body: CodeWriter): string[] => {
    const names = used(body.toString(), typeNames);
    return names.length === 0 ? [] : [`import type { ${names.join(', ')} } from './types.ts';`];
  };
  const pipelineDecoders = used(pipeline.toString(), schemaDecoders);

  const files: EmittedFile[] = [
    file('types.ts', `The records of \`${ctx.plan.pipeline}\`.`, types),
    file('decode.ts', `Decoders specialised to the schemas of \`${ctx.plan.pipeline}\`.`, decoders.body, typeImport(decoders.body)),
    file('pipeline.ts', `The operators of \`${ctx.plan.pipeline}\`, one section per plan node.`, pipeline, [
      ...typeImport(pipeline),
      ...(pipelineDecoders.length === 0 ? [] : [`import { ${pipelineDecoders.join(', ')} } from './decode.ts';`]),
    ]),
    file('manifest.ts', `The manifest of \`${ctx.plan.pipeline}\`.`, emitManifest(ctx)),
    file('source-map.ts', `Plan nodes of \`${ctx.plan.pipeline}\` → \`${ctx.fileName}\` positions.`, emitSourceMap(ctx)),
  ];
  const index = new CodeWriter()
    .line("export * from './types.ts';")
    .line("export * from './decode.ts';")
    .line("export * from './pipeline.ts';")
    .line("export { manifest } from './manifest.ts';")
    .line("export { sourceMap } from './source-map.ts';");
  files.push(file('index.ts', `The compiled pipeline \`${ctx.plan.pipeline}\`.`, index));
  return files.sort((a, b) => a.path.localeCompare(b.path));
}
