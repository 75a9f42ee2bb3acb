import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, parseClientMessage, parseServerFrame, parseServerMessage } from '../../src/hub/index.ts';

describe('parseClientMessage', () => {
  it('accepts subscribe (names or *, optional history) and unsubscribe', () => {
    expect(parseClientMessage('{"v":3,"type":"subscribe","streams":["realtime","geography"]}')).toEqual({ ok: true, message: { v: 3, type: 'subscribe', streams: ['realtime', 'geography'], history: undefined } });
    expect(parseClientMessage('{"v":3,"type":"subscribe","streams":"*","history":{"since":1767225600000,"limit":30}}')).toEqual({
      ok: true,
      message: { v: 3, type: 'subscribe', streams: '*', history: { since: 1767225600000, limit: 30 } },
    });
    expect(parseClientMessage('{"v":3,"type":"subscribe","streams":[],"history":{"limit":0}}')).toMatchObject({ ok: true });
    expect(parseClientMessage('{"v":3,"type":"unsubscribe","streams":"*"}')).toEqual({ ok: true, message: { v: 3, type: 'unsubscribe', streams: '*' } });
  });

  it.each([
    ['not JSON', 'subscribe me', 'bad_message'],
    ['a JSON array', '[1,2]', 'bad_message'],
    ['a JSON string', '"subscribe"', 'bad_message'],
    ['another version', '{"v":1,"type":"subscribe","streams":"*"}', 'unsupported_version'],
    ['no version', '{"type":"subscribe","streams":"*"}', 'unsupported_version'],
    ['an unknown type', '{"v":3,"type":"publish","streams":"*"}', 'unknown_type'],
    ['a server type', '{"v":3,"type":"update","streams":"*"}', 'unknown_type'],
    ['streams missing', '{"v":3,"type":"subscribe"}', 'bad_message'],
    ['streams not strings', '{"v":3,"type":"subscribe","streams":[1]}', 'bad_message'],
    ['streams a name, not a list', '{"v":3,"type":"unsubscribe","streams":"realtime"}', 'bad_message'],
    ['history not an object', '{"v":3,"type":"subscribe","streams":"*","history":5}', 'bad_message'],
    ['history.since not a number', '{"v":3,"type":"subscribe","streams":"*","history":{"since":"-5m"}}', 'bad_message'],
    ['history.limit negative', '{"v":3,"type":"subscribe","streams":"*","history":{"limit":-1}}', 'bad_message'],
    ['history.limit fractional', '{"v":3,"type":"subscribe","streams":"*","history":{"limit":1.5}}', 'bad_message'],
  ])('refuses %s', (_what, text, code) => {
    const parsed = parseClientMessage(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.code).toBe(code);
      expect(parsed.message).not.toBe('');
    }
  });
});

describe('parseServerFrame', () => {
  it('reads a frame of one message or an array of them, in order, skipping what is not a message of this version', () => {
    expect(parseServerFrame('{"v":3,"type":"health"}').map((m) => m.type)).toEqual(['health']);
    const frame = '[{"v":3,"type":"update","stream":"geo","key":"US","time":1,"row":{}},{"v":1,"type":"update"},{"v":3,"type":"alert","stream":"b","time":2,"alert":{}},7]';
    expect(parseServerFrame(frame).map((m) => m.type)).toEqual(['update', 'alert']);
    expect(parseServerFrame('[]')).toEqual([]);
    expect(parseServerFrame('{')).toEqual([]);
    expect(parseServerFrame('{"v":3,"type":"subscribe","streams":"*"}')).toEqual([]);
  });
});

describe('parseServerMessage', () => {
  it('reads every server message type of this version', () => {
    for (const type of ['hello', 'snapshot', 'update', 'alert', 'health', 'error']) {
      expect(parseServerMessage(JSON.stringify({ v: PROTOCOL_VERSION, type }))?.type).toBe(type);
    }
    const update = parseServerMessage('{"v":3,"type":"update","stream":"realtime","key":null,"time":5000,"row":{"active_users":3}}');
    expect(update).toEqual({ v: 3, type: 'update', stream: 'realtime', key: null, time: 5000, row: { active_users: 3 } });
  });

  it('reads keyed updates: change, rowKey, previousTime', () => {
    const text = '{"v":3,"type":"update","stream":"sess","key":"ann","time":25000,"row":{"pages":3},"rowKey":"[\\"ann\\",0]","change":"+U","previousTime":10000}';
    expect(parseServerMessage(text)).toEqual({ v: 3, type: 'update', stream: 'sess', key: 'ann', time: 25000, row: { pages: 3 }, rowKey: '["ann",0]', change: '+U', previousTime: 10000 });
  });

  it('refuses other versions, client types, unknown types and non-JSON', () => {
    expect(parseServerMessage('{"v":1,"type":"update"}')).toBeNull();
    // v2 had no keyed updates: a v2 message is another version's.
    expect(parseServerMessage('{"v":2,"type":"update","stream":"realtime","key":null,"time":5000,"row":{}}')).toBeNull();
    expect(parseServerMessage('{"v":3,"type":"subscribe","streams":"*"}')).toBeNull();
    expect(parseServerMessage('{"v":3,"type":"gossip"}')).toBeNull();
    expect(parseServerMessage('{"v":3}')).toBeNull();
    expect(parseServerMessage('[]')).toBeNull();
    expect(parseServerMessage('null')).toBeNull();
    expect(parseServerMessage('{')).toBeNull();
  });
});
