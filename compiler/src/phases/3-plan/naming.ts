// Node ids and internal topic names. Ids are `<declaration>.<role>`: readable in explain output,
// in generated code and in metrics labels, and stable as long as the declaration keeps its name.

/** `sessionData?.country ?? "??"` → `sessionData_country`: a fragment safe in ids and topic names. */
export function slug(text: string): string {
  const s = text.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^[_-]+|[_-]+$/g, '');
  return s === '' ? 'key' : s;
}

/** The internal topic a node writes: `<pipeline>-<node id with dots as dashes>-<suffix>`. */
export function topicName(pipeline: string, nodeId: string, suffix: 'repartition' | 'changelog'): string {
  const segments = nodeId.split('.');
  const base = segments.join('-');
  return segments.includes(suffix) ? `${pipeline}-${base}` : `${pipeline}-${base}-${suffix}`;
}

/** Hands out ids, adding `.2`, `.3`, … when a declaration has several operators of one role. */
export class IdAllocator {
  private readonly used = new Set<string>();

  take(base: string): string {
    let id = base;
    for (let n = 2; this.used.has(id); n++) id = `${base}.${n}`;
    this.used.add(id);
    return id;
  }

  has(id: string): boolean {
    return this.used.has(id);
  }
}
