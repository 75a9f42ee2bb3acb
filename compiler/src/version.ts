/** The compiler version written into every generated file's header. A test keeps it equal to package.json's. */
export const COMPILER_VERSION = '0.1.0';
