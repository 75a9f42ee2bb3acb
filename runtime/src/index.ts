// The public API of the flowc runtime. Generated pipelines import it with one namespace import:
//   import * as rt from '../../runtime/src/index.ts';
// Nothing under runtime/ imports compiler/ or dsl/.
export * from './api/index.ts';
