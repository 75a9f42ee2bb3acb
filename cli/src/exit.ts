/** flowc's exit codes. */
export const EXIT = { ok: 0, diagnostics: 1, usage: 2 } as const;
