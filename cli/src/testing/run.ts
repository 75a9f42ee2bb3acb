// Runs test cases on the TopologyTestDriver: a fresh driver per case, the steps in order, then
// every expectation compared with what the driver captured.
import { deadLetterReason } from '../../../runtime/src/engine/index.ts';
import { MAX_WATERMARK, type DeadLetterRecord } from '../../../runtime/src/index.ts';
import { TopologyTestDriver, type TestRecord } from '../../../runtime/src/testing/index.ts';
import { compareRows, type ActualRow, type CompareContext, type ExpectationDiff } from './compare.ts';
import type { Expectation, Step, TestCase } from './format.ts';
import type { Loc } from './json.ts';
import type { LoadedPipeline } from './load.ts';
import { formatTime } from './time.ts';

export type CaseStatus = 'passed' | 'failed' | 'skipped' | 'not-run' | 'error';

export interface CaseResult {
  readonly testCase: TestCase;
  readonly status: CaseStatus;
  /** Why a case did not pass: a failed step, a flag not allowed in CI. */
  readonly problems: readonly { readonly loc: Loc; readonly message: string }[];
  readonly diffs: readonly ExpectationDiff[];
}

export interface RunCaseOptions {
  /**
   * Called with the case's driver once every step has run, before the case's `expect` is checked
   * and the driver closed (tests of `flowc test` itself look at everything it captured).
   */
  readonly inspect?: (driver: TopologyTestDriver) => void;
}

/** Runs one case. Never throws for the case's own failures: they come back in the result. */
export async function runCase(pipeline: LoadedPipeline, testCase: TestCase, options: RunCaseOptions = {}): Promise<CaseResult> {
  const partitions = Object.fromEntries(testCase.partitions);
  // Event times are judged as `flowc run` judges them (the engine's defaults: not before 2000, at
  // most a day past max(the clock, the partition's newest event time)), not by the driver's lax
  // test defaults: a case gives the answer a run of the same records gives.
  // The engine's event-time bounds, the horizon on the wall clock, as `flowc run` has them.
  const driver = await TopologyTestDriver.create(pipeline.topology, { startTime: testCase.start, partitions, eventTimeBounds: { horizonClock: Date.now } });
  try {
    const diffs: ExpectationDiff[] = [];
    const check = (expectations: readonly Expectation[]): void => {
      for (const expectation of expectations) {
        const diff = compareRows(expectation, actualRows(driver, expectation), contextOf(pipeline, expectation, testCase.base));
        if (diff !== null) diffs.push(diff);
      }
    };
    for (const step of testCase.steps) {
      if (step.kind === 'expect') {
        check(step.expectations);
        continue;
      }
      try {
        await perform(driver, step, testCase.base);
      } catch (error) {
        return { testCase, status: 'error', problems: [{ loc: step.loc, message: `${describeStep(step, testCase.base)} failed: ${errorText(error)}` }], diffs };
      }
    }
    options.inspect?.(driver);
    check(testCase.expectations);
    return { testCase, status: diffs.length === 0 ? 'passed' : 'failed', problems: [], diffs };
  } finally {
    await driver.close().catch(() => undefined);
  }
}

async function perform(driver: TopologyTestDriver, step: Exclude<Step, { kind: 'expect' }>, base: number): Promise<void> {
  switch (step.kind) {
    case 'record':
      driver.pipe(step.source, step.text, {
        ...(step.partition === null ? {} : { partition: step.partition }),
        ...(step.key === undefined ? {} : { key: step.key }),
      });
      return;
    case 'advanceTime':
      driver.advanceTime(step.ms);
      return;
    case 'advanceTimeTo': {
      const now = driver.now();
      if (step.to < now) throw new Error(`the clock is at ${formatTime(now, base)} already; processing time only moves forward`);
      driver.advanceTime(step.to - now);
      return;
    }
    case 'watermark':
      for (const source of step.sources) {
        if (step.partition === null) driver.advanceWatermark(source, step.to);
        else driver.advanceWatermark(source, step.partition, step.to);
      }
      return;
    case 'endOfInput':
      // The end of a bounded input: every source's watermark goes to +∞, which fires every window
      // (event and processing time) and every pending absence, as Flink does at the end of a job.
      for (const node of driver.topology.nodes) if (node.kind === 'source') driver.advanceWatermark(node.name, MAX_WATERMARK);
      return;
    case 'checkpoint':
      await driver.checkpoint();
      return;
    case 'restart':
      await driver.restart({ graceful: step.graceful });
      return;
  }
}

/** The rows an expectation is compared with. */
function actualRows(driver: TopologyTestDriver, expectation: Expectation): ActualRow[] {
  const target = expectation.target;
  switch (target.kind) {
    case 'output':
      // A `-U` only announces the `+U` that follows it with the row's new values: the rows a case
      // lists are the inserts, updates and deletes (`"change": "-D"`).
      return driver
        .output(target.name)
        .filter((r) => r.change !== '-U')
        .map(recordRow);
    case 'late':
      return driver.late(target.name).map(recordRow);
    case 'deadLetters':
      return driver.deadLetters().map(deadLetterRow);
  }
}

function recordRow(record: TestRecord): ActualRow {
  const value = record.value;
  const columns: Record<string, unknown> = typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...(value as Record<string, unknown>) } : { value };
  if (!('key' in columns)) columns.key = record.key;
  if (!('stream' in columns)) columns.stream = record.stream;
  if (!('timestamp' in columns)) Object.defineProperty(columns, 'timestamp', { value: record.timestamp, enumerable: false });
  // Shown only on deletes; an expected row may list it (`"change": "+I"`) on any result row.
  if (record.change !== undefined && !('change' in columns)) Object.defineProperty(columns, 'change', { value: record.change, enumerable: record.change === '-D' });
  return columns;
}

function deadLetterRow(letter: DeadLetterRecord): ActualRow {
  return { ...letter, category: deadLetterReason(letter) };
}

function contextOf(pipeline: LoadedPipeline, expectation: Expectation, base: number): CompareContext {
  const target = expectation.target;
  if (target.kind === 'deadLetters') return { base, groupBy: [], identity: ['source', 'partition', 'offset'], showStream: false };
  if (target.kind === 'late') return { base, groupBy: [], showStream: false };
  const columns = pipeline.info.columns.get(target.name);
  const isStream = pipeline.topology.nodes.some((n) => n.name === target.name && n.kind !== 'sink' && n.kind !== 'deadLetter');
  return { base, groupBy: columns?.groupBy ?? [], showStream: !isStream };
}

export function describeStep(step: Step, base: number): string {
  switch (step.kind) {
    case 'expect':
      return 'expect';
    case 'record':
      return `record for ${step.source}`;
    case 'advanceTime':
      return 'advanceTime';
    case 'advanceTimeTo':
      return `advanceTimeTo ${formatTime(step.to, base)}`;
    case 'watermark':
      return `watermark ${formatTime(step.to, base)}`;
    case 'endOfInput':
      return 'endOfInput';
    case 'checkpoint':
      return 'checkpoint';
    case 'restart':
      return step.graceful ? 'graceful restart' : 'restart after a crash';
  }
}

function errorText(error: unknown): string {
  if (error instanceof Error) {
    const frame = error.stack?.split('\n').find((line) => line.trim().startsWith('at '));
    return `${error.message}${frame === undefined ? '' : ` (${frame.trim()})`}`;
  }
  return String(error);
}
