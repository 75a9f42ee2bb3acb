import { writeFileSync } from 'node:fs';
import { renderDiagnosticsDoc } from '../src/diagnostics/docs.ts';

writeFileSync(new URL('../../docs/diagnostics.md', import.meta.url), renderDiagnosticsDoc());
