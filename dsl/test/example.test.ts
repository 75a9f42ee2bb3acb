// The reference pipeline parses cleanly into the expected declarations.
import { describe, expect, it } from 'vitest';
import { parse, type AggregateDecl, type Declaration, type Expr, type PatternDecl, type SourceDecl, type StreamDecl } from '../src/index.ts';
import { exampleText, textOf } from './helpers.ts';

const { program, problems } = parse(exampleText, 'pipelines/website-analytics.flow');

function declaration<K extends Declaration['kind']>(kind: K, name: string): Extract<Declaration, { kind: K }> {
  const found = program.declarations.find((d) => d.kind === kind && 'name' in d && d.name.name === name);
  if (found === undefined) throw new Error(`no ${kind} ${name}`);
  return found as Extract<Declaration, { kind: K }>;
}

function clauseKinds(decl: AggregateDecl | PatternDecl | SourceDecl): string[] {
  return decl.clauses.map((clause) => clause.kind);
}

describe('pipelines/website-analytics.flow', () => {
  it('parses with zero problems', () => {
    expect(problems).toEqual([]);
  });

  it('has the expected declarations, in order', () => {
    expect(program.file).toBe('pipelines/website-analytics.flow');
    expect(program.pipeline?.name).toBe('website_analytics');
    const summary = program.declarations.map((d) => `${d.kind} ${'name' in d ? d.name.name : d.inputs.map((i) => i.name.name).join(',')}`);
    expect(summary).toEqual([
      'EnumDecl EventType',
      'EnumDecl DeviceType',
      'SchemaDecl AnalyticsEvent',
      'SourceDecl events',
      'StreamDecl page_views',
      'AggregateDecl sessions',
      'AggregateDecl realtime',
      'AggregateDecl session_health',
      'AggregateDecl business',
      'AggregateDecl popular_pages',
      'AggregateDecl geography',
      'AggregateDecl funnel',
      'AggregateDecl bounces',
      'PatternDecl checkout_abandoned',
      'EmitDecl realtime,session_health,business,geography,funnel',
      'EmitDecl popular_pages',
      'EmitDecl realtime,session_health,business,popular_pages,geography,funnel',
      'EmitDecl bounces,checkout_abandoned',
      'EmitDecl realtime,session_health,business,popular_pages,geography,funnel,bounces,checkout_abandoned',
      'EmitDecl sessions',
    ]);
  });

  it('reads enums and nested, optional schema fields (a keyword may name a field)', () => {
    expect(declaration('EnumDecl', 'EventType').members.map((m) => m.name)).toEqual([
      'PAGE_VIEW',
      'SESSION_START',
      'SESSION_END',
      'CONVERSION',
    ]);
    const schema = declaration('SchemaDecl', 'AnalyticsEvent');
    expect(schema.fields.map((f) => `${f.name.name}${f.optional ? '?' : ''}:${f.type?.kind}`)).toEqual([
      'eventId:NamedType',
      'timestamp:NamedType',
      'eventType:NamedType',
      'userId:NamedType',
      'sessionId:NamedType',
      'pageViewData?:RecordType',
      'sessionData?:RecordType',
      'conversionData?:RecordType',
    ]);
    const pageView = schema.fields[5]?.type;
    expect(pageView?.kind === 'RecordType' && pageView.fields.map((f) => f.name.name)).toEqual([
      'url',
      'title',
      'referrer',
      'pageLoadTime',
    ]);
  });

  it('reads the source with its connector and clauses', () => {
    const source = declaration('SourceDecl', 'events');
    expect(source.schema?.name).toBe('AnalyticsEvent');
    expect(source.connector?.name.name).toBe('kafka');
    expect(source.connector?.args.map((a) => [a.name?.name, a.value?.kind])).toEqual([
      ['topic', 'StringLiteral'],
      ['partitions', 'NumberLiteral'],
    ]);
    expect(clauseKinds(source)).toEqual(['KeyByClause', 'EventTimeClause', 'DeadLetterClause']);
    const eventTime = source.clauses[1];
    expect(eventTime?.kind === 'EventTimeClause' && [eventTime.watermark?.millis, eventTime.idle?.millis]).toEqual([5_000, 60_000]);
  });

  it('reads the stream operations', () => {
    const stream: StreamDecl = declaration('StreamDecl', 'page_views');
    expect(stream.input).toMatchObject({ kind: 'StreamRef', name: { name: 'events' } });
    expect(stream.operations.map((o) => o.kind)).toEqual(['WhereClause', 'DeriveClause']);
    const derive = stream.operations[1];
    const url = derive?.kind === 'DeriveClause' ? derive.fields[0] : undefined;
    expect(url?.name.name).toBe('url');
    expect(url?.value).toMatchObject({
      kind: 'BinaryExpr',
      operator: '??',
      left: { kind: 'MemberExpr', optional: true, object: { kind: 'NameExpr', name: 'pageViewData' }, property: { name: 'url' } },
      right: { kind: 'StringLiteral', value: '(unknown)' },
    });
  });

  it('reads every window kind and the aggregate clauses', () => {
    const sessions = declaration('AggregateDecl', 'sessions');
    expect(clauseKinds(sessions)).toEqual([
      'WindowClause',
      'GroupByClause',
      'LatenessClause',
      'LateOutputClause',
      'MeasureClause',
      'MeasureClause',
      'MeasureClause',
      'MeasureClause',
      'MeasureClause',
    ]);
    expect(sessions.clauses[0]).toMatchObject({
      window: { kind: 'SessionWindowSpec', gap: { millis: 1_800_000, text: '30m' }, until: { operator: '==' } },
      time: null,
    });
    expect(declaration('AggregateDecl', 'realtime').clauses[0]).toMatchObject({
      window: { kind: 'TumblingWindowSpec', size: { millis: 5_000 } },
      time: 'processing',
    });
    expect(declaration('AggregateDecl', 'business').clauses[0]).toMatchObject({
      window: { kind: 'SlidingWindowSpec', size: { millis: 60_000 }, slide: { millis: 10_000 } },
      time: 'event',
    });
    expect(declaration('AggregateDecl', 'popular_pages').clauses[2]).toMatchObject({
      kind: 'EmitEveryClause',
      interval: { millis: 2_000 },
    });
    expect(declaration('AggregateDecl', 'geography').clauses[2]).toMatchObject({
      kind: 'GroupByClause',
      keys: [{ alias: { name: 'country' }, value: { operator: '??' } }],
    });
  });

  it('reads measures with units and filtered aggregate calls', () => {
    const pages = declaration('AggregateDecl', 'sessions').clauses[6];
    expect(pages).toMatchObject({
      kind: 'MeasureClause',
      name: { name: 'pages' },
      unit: { value: 'pages' },
      value: { kind: 'CallExpr', callee: { name: 'count' }, args: [], filter: { operator: '==' } },
    });
    const bounce = declaration('AggregateDecl', 'session_health').clauses[1];
    expect(bounce).toMatchObject({ value: { operator: '*', left: { kind: 'CallExpr', callee: { name: 'avg' } } } });
  });

  it('reads alerts with template holes', () => {
    const bounces = declaration('AggregateDecl', 'bounces');
    expect(clauseKinds(bounces).slice(-2)).toEqual(['HavingClause', 'AlertClause']);
    const alert = bounces.clauses[bounces.clauses.length - 1];
    expect(alert).toMatchObject({
      kind: 'AlertClause',
      alertType: { name: 'HIGH_BOUNCE_RATE' },
      severity: { name: 'medium' },
      title: { kind: 'TemplateString', parts: ['High Bounce Rate Detected'] },
      message: { kind: 'TemplateString', parts: ['User ', { kind: 'NameExpr', name: 'userId' }, ' viewed only one page'] },
    });
  });

  it('reads the pattern with an absence step', () => {
    const pattern = declaration('PatternDecl', 'checkout_abandoned');
    expect(clauseKinds(pattern)).toEqual(['KeyByClause', 'MatchClause', 'AlertClause']);
    const match = pattern.clauses[1];
    const steps = match?.kind === 'MatchClause' ? match.steps : [];
    expect(steps.map((s) => [s.negated, s.name.name, s.within?.text ?? null])).toEqual([
      [false, 'checkout', null],
      [true, 'paid', '30m'],
    ]);
    const alert = pattern.clauses[2];
    const holes = alert?.kind === 'AlertClause' ? (alert.message?.parts ?? []).filter((p): p is Expr => typeof p !== 'string') : [];
    expect(holes.map((hole) => textOf(exampleText, hole.span))).toEqual([
      'checkout.sessionId',
      'checkout.userId',
      'checkout.pageViewData.url',
    ]);
  });
});
