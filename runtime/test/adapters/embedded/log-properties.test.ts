// Properties of the embedded log under arbitrary interleavings.
//
// 1. One consumer, with appends, polls, commits and restarts (graceful, or a crash that drops the
//    unflushed appends): within a run every record is delivered once, in offset order, with the
//    value appended at that offset; after a restart delivery resumes exactly at the last commit
//    (the at-least-once replay), and in the end every surviving record has been delivered.
// 2. A group whose members join, leave (committing on revoke), crash and poll: a partition is never
//    owned by two members, every partition is owned while anyone is in the group, and each record
//    is delivered in order, exactly once except for the replay after a crash.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { EmbeddedLogSource, PartitionedLog } from '../../../src/adapters/embedded/index.ts';
import type { SourceRecord } from '../../../src/api/index.ts';
import { committingListener, quietListener, tempDirs } from './support.ts';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

const PARTITIONS = 3;

type Command =
  | { readonly kind: 'append'; readonly key: string | null; readonly count: number }
  | { readonly kind: 'poll'; readonly max: number }
  | { readonly kind: 'commit' }
  | { readonly kind: 'flush' }
  | { readonly kind: 'restart'; readonly crash: boolean };

const command: fc.Arbitrary<Command> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('append' as const), key: fc.option(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { nil: null }), count: fc.integer({ min: 1, max: 5 }) }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('poll' as const), max: fc.integer({ min: 1, max: 7 }) }), weight: 4 },
  { arbitrary: fc.constant({ kind: 'commit' as const }), weight: 2 },
  { arbitrary: fc.constant({ kind: 'flush' as const }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('restart' as const), crash: fc.boolean() }), weight: 1 },
);

describe('embedded log properties', () => {
  it('never loses or duplicates a record beyond the replay after the last commit, across restarts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { maxLength: 40 }), async (commands) => {
        const dir = await dirs.make();
        const options = { dir, fsync: false, flushIntervalMs: null, segmentRecords: 4 };
        let log = await PartitionedLog.open(options);
        log.createTopic('t', PARTITIONS);
        let source = new EmbeddedLogSource(log, { name: 's', topic: 't' });
        await source.subscribe('g', quietListener);

        const appended: string[][] = Array.from({ length: PARTITIONS }, () => []);
        const durable = Array.from({ length: PARTITIONS }, () => 0);
        const committed = Array.from({ length: PARTITIONS }, () => 0);
        const next = Array.from({ length: PARTITIONS }, () => 0);
        let serial = 0;

        const check = (records: readonly SourceRecord[]): void => {
          for (const r of records) {
            expect(r.offset, `partition ${r.partition}`).toBe(next[r.partition]);
            expect(r.value).toBe(appended[r.partition]?.[r.offset]);
            next[r.partition] = r.offset + 1;
          }
        };

        for (const c of commands) {
          switch (c.kind) {
            case 'append':
              for (let i = 0; i < c.count; i++) {
                const value = `v${serial++}`;
                const at = log.append('t', c.key, value);
                expect(at.offset).toBe(appended[at.partition]?.length);
                appended[at.partition]?.push(value);
              }
              break;
            case 'poll':
              check(await source.poll({ maxRecords: c.max, timeoutMs: 0 }));
              break;
            case 'commit':
              await source.commit(source.positions());
              for (const p of source.positions()) committed[p.partition] = p.offset;
              // A commit makes every earlier append durable first.
              for (let p = 0; p < PARTITIONS; p++) durable[p] = appended[p]?.length ?? 0;
              break;
            case 'flush':
              await log.flush();
              for (let p = 0; p < PARTITIONS; p++) durable[p] = appended[p]?.length ?? 0;
              break;
            case 'restart':
              await log.close({ discard: c.crash });
              if (c.crash) for (let p = 0; p < PARTITIONS; p++) appended[p]?.splice(durable[p] ?? 0);
              for (let p = 0; p < PARTITIONS; p++) durable[p] = appended[p]?.length ?? 0;
              log = await PartitionedLog.open(options);
              source = new EmbeddedLogSource(log, { name: 's', topic: 't' });
              await source.subscribe('g', quietListener);
              for (let p = 0; p < PARTITIONS; p++) next[p] = committed[p] ?? 0;
              break;
          }
        }
        for (;;) {
          const records = await source.poll({ maxRecords: 16, timeoutMs: 0 });
          if (records.length === 0) break;
          check(records);
        }
        expect(next).toEqual(appended.map((values) => values.length));
        await log.close();
      }),
      { numRuns: 60 },
    );
  });

  type GroupCommand =
    | { readonly kind: 'join' }
    | { readonly kind: 'leave'; readonly member: number }
    | { readonly kind: 'crash'; readonly member: number }
    | { readonly kind: 'poll'; readonly member: number; readonly max: number }
    | { readonly kind: 'commit'; readonly member: number }
    | { readonly kind: 'append'; readonly count: number };

  const groupCommand: fc.Arbitrary<GroupCommand> = fc.oneof(
    fc.constant({ kind: 'join' as const }),
    fc.record({ kind: fc.constant('leave' as const), member: fc.nat() }),
    fc.record({ kind: fc.constant('crash' as const), member: fc.nat() }),
    fc.record({ kind: fc.constant('poll' as const), member: fc.nat(), max: fc.integer({ min: 1, max: 6 }) }),
    fc.record({ kind: fc.constant('commit' as const), member: fc.nat() }),
    fc.record({ kind: fc.constant('append' as const), count: fc.integer({ min: 1, max: 8 }) }),
  );

  it('hands partitions over between group members without overlap, loss or duplicates', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(groupCommand, { maxLength: 40 }), async (commands) => {
        const log = new PartitionedLog();
        const partitions = 4;
        log.createTopic('t', partitions);
        const members: EmbeddedLogSource[] = [];
        const next = Array.from({ length: partitions }, () => 0);
        let serial = 0;

        const check = (records: readonly SourceRecord[]): void => {
          for (const r of records) {
            expect(r.offset, `partition ${r.partition}`).toBe(next[r.partition]);
            next[r.partition] = r.offset + 1;
          }
        };
        const checkOwnership = (): void => {
          const owned = members.flatMap((m) => m.assignment().map((tp) => tp.partition));
          expect(new Set(owned).size).toBe(owned.length);
          expect(owned.length).toBe(members.length === 0 ? 0 : partitions);
        };

        for (const c of commands) {
          switch (c.kind) {
            case 'join': {
              const member: EmbeddedLogSource = new EmbeddedLogSource(log, { name: 's', topic: 't' });
              await member.subscribe('g', committingListener('m', () => member, []));
              members.push(member);
              break;
            }
            case 'append':
              for (let i = 0; i < c.count; i++) log.append('t', `k${serial % 7}`, `v${serial++}`);
              break;
            default: {
              if (members.length === 0) break;
              const index = c.member % members.length;
              const member = members[index] as EmbeddedLogSource;
              if (c.kind === 'poll') check(await member.poll({ maxRecords: c.max, timeoutMs: 0 }));
              else if (c.kind === 'commit') await member.commit(member.positions());
              else if (c.kind === 'leave') {
                await member.close();
                members.splice(index, 1);
              } else {
                // A crash loses the member's uncommitted progress: its partitions replay from their commits.
                const lost = member.assignment();
                await member.kill();
                members.splice(index, 1);
                for (const tp of lost) next[tp.partition] = log.committed('g', 't', tp.partition) ?? 0;
              }
            }
          }
          checkOwnership();
        }
        if (members.length === 0) {
          const last: EmbeddedLogSource = new EmbeddedLogSource(log, { name: 's', topic: 't' });
          await last.subscribe('g', committingListener('m', () => last, []));
          members.push(last);
          for (let p = 0; p < partitions; p++) next[p] = log.committed('g', 't', p) ?? 0;
        }
        for (const member of members) {
          for (;;) {
            const records = await member.poll({ maxRecords: 16, timeoutMs: 0 });
            if (records.length === 0) break;
            check(records);
          }
        }
        expect(next).toEqual(Array.from({ length: partitions }, (_, p) => log.endOffset('t', p)));
      }),
      { numRuns: 200 },
    );
  });
});
