// The hub's minimal page (page.ts), run in a VM against a tiny fake DOM and WebSocket: it speaks the
// current protocol version and applies keyed updates — a `+U` replaces its row, a `-D` of the row
// shown removes it.
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, dashboardPage, type ServerMessage } from '../../src/hub/index.ts';
import { MANIFEST, T0, geoChange, sessionChange } from './support.ts';
import type { SinkRecord } from '../../src/api/index.ts';

class FakeNode {
  readonly attrs: Record<string, string> = {};
  children: FakeNode[] = [];
  private text = '';

  constructor(readonly tag: string) {}

  setAttribute(name: string, value: string): void {
    this.attrs[name] = value;
  }

  appendChild(child: FakeNode): FakeNode {
    this.children.push(child);
    return child;
  }

  removeChild(child: FakeNode): void {
    this.children = this.children.filter((c) => c !== child);
  }

  get textContent(): string {
    return this.text + this.children.map((c) => c.textContent).join('');
  }

  set textContent(value: string) {
    this.text = value;
    this.children = [];
  }

  /** Descendants (depth first) that match `tag.class` (the page only asks for `section.metric`). */
  querySelectorAll(selector: string): FakeNode[] {
    const [tag, cls] = selector.split('.');
    const out: FakeNode[] = [];
    const walk = (node: FakeNode): void => {
      for (const child of node.children) {
        if (child.tag === tag && (cls === undefined || (child.attrs.class ?? '').split(' ').includes(cls))) out.push(child);
        walk(child);
      }
    };
    walk(this);
    return out;
  }

  find(predicate: (node: FakeNode) => boolean): FakeNode | undefined {
    for (const child of this.children) {
      if (predicate(child)) return child;
      const found = child.find(predicate);
      if (found !== undefined) return found;
    }
    return undefined;
  }
}

class FakeSocket {
  static last: FakeSocket | null = null;
  readonly sent: string[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;

  constructor(readonly url: string) {
    FakeSocket.last = this;
  }

  send(text: string): void {
    this.sent.push(text);
  }

  close(): void {}
}

/** Loads the page's script; returns its socket and a reader of a metric's table (cells after the time column). */
function loadPage(): { socket: FakeSocket; receive: (...messages: ServerMessage[]) => void; table: (stream: string) => string[][] } {
  const html = dashboardPage('hub_test');
  const script = /<script>([\s\S]*)<\/script>/.exec(html)?.[1];
  if (script === undefined) throw new Error('no script in the page');
  const byId = new Map(['health', 'conn', 'panels', 'alerts'].map((id) => [id, new FakeNode(id === 'alerts' ? 'ul' : 'div')]));
  const document = {
    getElementById: (id: string) => byId.get(id) ?? null,
    createElement: (tag: string) => new FakeNode(tag),
    createTextNode: (text: string) => {
      const node = new FakeNode('#text');
      node.textContent = text;
      return node;
    },
  };
  FakeSocket.last = null;
  runInNewContext(script, { document, location: { search: '', protocol: 'http:', host: '127.0.0.1:8080' }, URLSearchParams, WebSocket: FakeSocket, setInterval: () => 0, clearInterval: () => undefined, setTimeout: () => 0, console });
  const socket = FakeSocket.last as FakeSocket | null;
  if (socket === null) throw new Error('the page opened no socket');
  const panels = byId.get('panels') as FakeNode;
  return {
    socket,
    receive: (...messages) => socket.onmessage?.({ data: JSON.stringify(messages.length === 1 ? messages[0] : messages) }),
    table: (stream) => {
      const section = panels.find((n) => n.attrs.id === `metric-${stream}`);
      const body = section?.find((n) => n.tag === 'tbody');
      if (body === undefined) throw new Error(`no table of ${stream}`);
      return body.children.map((tr) => tr.children.slice(1).map((td) => td.textContent)).filter((cells) => cells.length > 0);
    },
  };
}

const update = (record: SinkRecord<unknown>): ServerMessage => ({
  v: PROTOCOL_VERSION,
  type: 'update',
  stream: record.stream,
  key: record.key,
  time: record.timestamp,
  row: record.value as Record<string, unknown>,
  ...(record.rowKey === undefined ? {} : { rowKey: record.rowKey }),
  ...(record.change === undefined || record.change === '-U' ? {} : { change: record.change }),
});

describe('the minimal page', () => {
  it('subscribes with the current protocol version and applies keyed updates: +U replaces, -D removes', () => {
    const page = loadPage();
    page.socket.onopen?.();
    page.receive({ v: PROTOCOL_VERSION, type: 'hello', pipeline: 'hub_test', manifest: MANIFEST, serverTime: T0, heartbeatMs: 15_000, healthIntervalMs: 1000, streams: [] });
    expect(page.socket.sent.map((s) => JSON.parse(s) as unknown)).toEqual([{ v: PROTOCOL_VERSION, type: 'subscribe', streams: '*' }]);

    page.receive({ v: PROTOCOL_VERSION, type: 'snapshot', stream: 'sess', kind: 'metric', rows: [] });
    page.receive(update(sessionChange('+I', 'ann', T0, T0 + 10_000, 1)), update(sessionChange('+I', 'bob', T0 + 5000, T0 + 12_000, 2)));
    page.receive(update(sessionChange('+U', 'ann', T0, T0 + 25_000, 3)));
    page.receive(update(sessionChange('-D', 'bob', T0 + 5000, T0 + 12_000, 2)));
    expect(page.table('sess')).toEqual([['ann', '3']]);

    page.receive(update(geoChange('+I', 'US', 2, 5)));
    // A -D of an older window of US is not the row shown: it stays.
    page.receive(update(geoChange('-D', 'US', 1, 4)));
    expect(page.table('geo')).toEqual([['US', '5', '15']]);
    page.receive(update(geoChange('-D', 'US', 2, 5)));
    expect(page.table('geo')).toEqual([]);

    // Messages of another version are ignored.
    page.receive({ ...update(sessionChange('+I', 'cy', T0, T0 + 1000, 9)), v: 2 } as unknown as ServerMessage);
    expect(page.table('sess')).toEqual([['ann', '3']]);
  });
});
