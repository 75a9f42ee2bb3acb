// The compiler's public API, used by the CLI and by tests.
export { compileSource, type CompileResult, type CompileOptions, type Phase } from './compile.ts';
export type { Diagnostic, Severity } from './diagnostics/diagnostic.ts';
export { hasErrors } from './diagnostics/diagnostic.ts';
export { formatDiagnostic, formatDiagnostics } from './diagnostics/format.ts';
export { explainText, explainMermaid } from './phases/3-plan/explain.ts';
export { COMPILER_VERSION } from './version.ts';
export { writeGenerated, checkGenerated, type GeneratedDrift } from './output.ts';
