// The two phases of a global aggregate wired as an engine would: one partial instance owning
// every partition, its output delivered batch by batch to one final.
import type * as rt from '../../../src/index.ts';
import { FinalAggregateProcessor, PartialAggregateProcessor, type PartialAggregate } from '../../../src/operators/windows/index.ts';
import { finalNode, partialNode, record, type Ev, type Op, type Row } from './fixtures.ts';
import { Driver, type Emission } from './harness.ts';

export const PARTITIONS = [0, 1, 2];

/** A partial instance owning every partition, feeding one final as an engine would. */
export class TwoPhase {
  readonly partial: Driver<Ev, PartialAggregate>;
  readonly final: Driver<PartialAggregate, Row>;
  private shipped = 0;

  constructor(window: rt.WindowDescriptor<Ev>, options: { latenessMs?: number; time?: rt.TimeDomain; earlyFiringMs?: number | null }, now = 0) {
    this.partial = new Driver(new PartialAggregateProcessor(partialNode(window, options)), { partitions: PARTITIONS, now, nodeId: 'test.partial' });
    this.final = new Driver(new FinalAggregateProcessor(finalNode(window, options)), { partitions: PARTITIONS, now });
  }

  run(ops: readonly Op[], from = 0, to = ops.length): void {
    for (let i = from; i < to; i++) {
      const op = ops[i]!;
      this.partial.setOp(i);
      this.final.setOp(i);
      if (op.kind === 'clock') {
        this.partial.advance(op.now);
        this.forward();
        this.final.advance(op.now);
      } else if (op.kind === 'batch') {
        this.partial.batch(op.partition, op.events.map(record));
        this.forward();
      } else {
        this.partial.watermark(op.ts);
        this.forward();
        this.final.watermark(op.ts);
      }
    }
  }

  /** Delivers what the partials emitted since the last call, batch by batch. */
  private forward(): void {
    const emitted = this.partial.context.emissions;
    let batch: Emission<PartialAggregate>[] = [];
    const flush = (): void => {
      if (batch.length > 0) this.final.batch(batch[0]!.record.partition, batch.map((x) => x.record));
      batch = [];
    };
    for (; this.shipped < emitted.length; this.shipped++) {
      const x = emitted[this.shipped]!;
      if (batch.length > 0 && batch[0]!.record.partition !== x.record.partition) flush();
      batch.push(x);
    }
    flush();
  }
}

