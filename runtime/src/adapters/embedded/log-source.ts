// `EmbeddedLogSource`: a consumer of the embedded partitioned log with Kafka's consumer-group
// contract (runtime/src/api/source.ts).
//
// - `subscribe(group, listener)` joins the group; the group coordinator (consumer-group.ts) deals
//   the partitions round-robin and runs the listener's callbacks on every member a rebalance
//   touches, revokes before assigns. `assign(partitions, group?)` takes partitions by hand instead
//   (Kafka's `assign`: no group membership, no callbacks; commits still go to `group` when given).
// - A newly owned partition starts at the group's committed offset, else at the oldest retained
//   record (`startFrom: 'earliest'`, the default) or at the end (`'latest'`). A position that falls
//   below the retained range (retention deleted records) moves up to the oldest retained record; one
//   past the end moves back to the end.
// - `poll` returns records of the active, unpaused partitions in offset order per partition, at most
//   `maxRecords`, shared fairly between partitions (the partition served first rotates); it waits up
//   to `timeoutMs` for an append when nothing is ready. One poll at a time.
// - During `onPartitionsAssigned` a partition is owned (it may be sought, committed) but not polled;
//   during `onPartitionsRevoked` it is still owned (the engine commits it there) but not polled.
// - `commit` is refused (`CommitFailedError`, nothing committed) when it names a partition this
//   consumer does not own: a checkpoint that raced with a rebalance must not overwrite the offsets
//   the partition's new owner commits.
import type { PartitionOffset, PollOptions, RebalanceListener, Source, SourceRecord, TopicPartition } from '../../api/index.ts';
import { compareTopicPartitions, partitionKey, type GroupMember } from './consumer-group.ts';
import type { PartitionedLog } from './partitioned-log.ts';

export interface EmbeddedLogSourceOptions {
  /** The `source` declaration it serves. */
  readonly name: string;
  /** The topic (or topics) it reads. */
  readonly topic: string | readonly string[];
  /** Partition count of a topic it has to create; the log's default otherwise. */
  readonly partitions?: number;
  /** Where a group without a committed offset starts; `earliest` by default. */
  readonly startFrom?: 'earliest' | 'latest';
  /** Prefix of the member id (`<clientId>-<n>`); the source name by default. */
  readonly clientId?: string;
}

/** A commit named partitions this consumer does not own (any more). Nothing was committed. */
export class CommitFailedError extends Error {
  constructor(readonly partitions: readonly TopicPartition[]) {
    super(`cannot commit ${partitions.map((p) => `${p.topic}/${p.partition}`).join(', ')}: not assigned to this consumer (the group rebalanced)`);
    this.name = 'CommitFailedError';
  }
}

type Phase = 'assigning' | 'active' | 'revoking';

interface OwnedPartition {
  readonly topic: string;
  readonly partition: number;
  /** The offset of the next record to return. */
  position: number;
  paused: boolean;
  phase: Phase;
}

let memberCounter = 0;

export class EmbeddedLogSource implements Source {
  readonly name: string;
  /** This consumer's id in its group. */
  readonly memberId: string;
  readonly topics: readonly string[];
  private readonly startFrom: 'earliest' | 'latest';
  private readonly partitionsHint: number | undefined;
  private mode: 'idle' | 'subscribed' | 'assigned' = 'idle';
  private group: string | null = null;
  private listener: RebalanceListener | null = null;
  private closed = false;
  private expelled = false;
  private polling = false;
  private readonly owned = new Map<string, OwnedPartition>();
  private order: OwnedPartition[] = [];
  private turn = 0;
  private listenerError: { readonly error: unknown } | null = null;
  private wake: (() => void) | null = null;
  private readonly member: GroupMember;

  constructor(
    private readonly log: PartitionedLog,
    options: EmbeddedLogSourceOptions,
  ) {
    this.name = options.name;
    this.topics = typeof options.topic === 'string' ? [options.topic] : [...options.topic];
    if (this.topics.length === 0) throw new RangeError('an embedded log source needs at least one topic');
    this.startFrom = options.startFrom ?? 'earliest';
    this.partitionsHint = options.partitions;
    this.memberId = `${options.clientId ?? options.name}-${++memberCounter}`;
    this.member = {
      memberId: this.memberId,
      topics: this.topics,
      owned: () => this.assignment(),
      revoke: (partitions) => this.onRevoke(partitions),
      assign: (partitions) => this.onAssign(partitions),
      lose: (partitions) => this.onLost(partitions),
    };
  }

  /** The group it belongs to or commits to; `null` before `subscribe` / without one. */
  get groupId(): string | null {
    return this.group;
  }

  async subscribe(group: string, listener: RebalanceListener): Promise<void> {
    this.ensureOpen();
    if (this.mode !== 'idle') throw new Error(`${this.memberId} is already ${this.mode === 'subscribed' ? 'subscribed' : 'assigned partitions'}`);
    for (const topic of this.topics) this.log.ensureTopic(topic, this.partitionsHint);
    this.mode = 'subscribed';
    this.group = group;
    this.listener = listener;
    await this.log.coordinator(group).join(this.member);
    this.throwListenerError();
  }

  /**
   * Takes `partitions` by hand (Kafka's `assign`), replacing any earlier manual assignment; positions
   * of partitions kept are kept. No rebalance callbacks; commits go to `group` when given.
   */
  assign(partitions: readonly TopicPartition[], group?: string): void {
    this.ensureOpen();
    if (this.mode === 'subscribed') throw new Error(`${this.memberId} is subscribed to a group; it cannot also assign partitions by hand`);
    this.mode = 'assigned';
    this.group = group ?? this.group;
    const keep = new Set(partitions.map((tp) => partitionKey(tp.topic, tp.partition)));
    for (const key of [...this.owned.keys()]) if (!keep.has(key)) this.owned.delete(key);
    for (const tp of partitions) {
      this.log.ensureTopic(tp.topic, this.partitionsHint);
      if (tp.partition >= this.log.partitionCount(tp.topic) || tp.partition < 0) throw new RangeError(`topic ${tp.topic} has no partition ${tp.partition}`);
      const key = partitionKey(tp.topic, tp.partition);
      if (!this.owned.has(key)) this.owned.set(key, { topic: tp.topic, partition: tp.partition, position: this.initialPosition(tp), paused: false, phase: 'active' });
    }
    this.reorder();
    this.wakeUp();
  }

  assignment(): readonly TopicPartition[] {
    return this.order.map((o) => ({ topic: o.topic, partition: o.partition }));
  }

  async poll(options: PollOptions): Promise<readonly SourceRecord[]> {
    this.ensureOpen();
    if (!(options.maxRecords >= 1)) throw new RangeError(`maxRecords must be at least 1, got ${options.maxRecords}`);
    if (this.polling) throw new Error(`${this.memberId}: poll is already in progress (one poll at a time)`);
    this.polling = true;
    try {
      this.throwListenerError();
      if (this.expelled && this.group !== null) {
        this.expelled = false;
        await this.log.coordinator(this.group).join(this.member);
        this.throwListenerError();
      }
      const deadline = Date.now() + Math.max(0, options.timeoutMs);
      for (;;) {
        const records = this.fetch(options.maxRecords);
        if (records.length > 0 || this.closed) return records;
        const remaining = deadline - Date.now();
        if (remaining <= 0) return records;
        await this.waitForWork(remaining);
        this.throwListenerError();
      }
    } finally {
      this.polling = false;
    }
  }

  async commit(positions: readonly PartitionOffset[]): Promise<void> {
    this.ensureOpen();
    if (this.group === null) throw new Error(`${this.memberId} has no consumer group to commit to`);
    const foreign = positions.filter((p) => !this.owned.has(partitionKey(p.topic, p.partition)));
    if (foreign.length > 0) throw new CommitFailedError(foreign.map((p) => ({ topic: p.topic, partition: p.partition })));
    await this.log.commitOffsets(this.group, positions);
  }

  seek(position: PartitionOffset): void {
    this.ensureOpen();
    const owned = this.owned.get(partitionKey(position.topic, position.partition));
    if (owned === undefined) throw new Error(`cannot seek ${position.topic}/${position.partition}: not assigned to ${this.memberId}`);
    if (!Number.isSafeInteger(position.offset) || position.offset < 0) throw new RangeError(`an offset must be a non-negative safe integer, got ${position.offset}`);
    owned.position = position.offset;
    this.wakeUp();
  }

  /** Partitions this consumer does not own are ignored. A partition's pause ends when it is revoked. */
  pause(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) {
      const owned = this.owned.get(partitionKey(tp.topic, tp.partition));
      if (owned !== undefined) owned.paused = true;
    }
  }

  resume(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) {
      const owned = this.owned.get(partitionKey(tp.topic, tp.partition));
      if (owned !== undefined) owned.paused = false;
    }
    this.wakeUp();
  }

  /** The partitions paused now. */
  paused(): TopicPartition[] {
    return this.order.filter((o) => o.paused).map((o) => ({ topic: o.topic, partition: o.partition }));
  }

  /** The offset of the next record of each owned partition. */
  positions(): PartitionOffset[] {
    return this.order.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.position }));
  }

  /** Records behind the end of the owned partitions (the consumer-lag metric). */
  lag(): number {
    let lag = 0;
    for (const o of this.order) lag += Math.max(0, this.log.endOffset(o.topic, o.partition) - o.position);
    return lag;
  }

  /** Leaves the group: its partitions are revoked first (the listener checkpoints and commits them), then dealt to the others. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.mode === 'subscribed' && this.group !== null && !this.expelled) await this.log.coordinator(this.group).leave(this.member, 'close');
    this.closed = true;
    this.owned.clear();
    this.reorder();
    this.wakeUp();
    this.throwListenerError();
  }

  /**
   * Dies as a crashed process would: no callback, no commit. The group deals its partitions to the
   * other members, who resume from the last committed offsets (for failover tests).
   */
  async kill(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.owned.clear();
    this.reorder();
    this.wakeUp();
    if (this.mode === 'subscribed' && this.group !== null) await this.log.coordinator(this.group).leave(this.member, 'crash');
  }

  /**
   * The group expels this member, as after a session timeout: its partitions are lost
   * (`onPartitionsLost`), the others get them; its next `poll` joins the group again.
   */
  async expel(): Promise<void> {
    this.ensureOpen();
    if (this.mode !== 'subscribed' || this.group === null || this.expelled) return;
    await this.log.coordinator(this.group).leave(this.member, 'expel');
  }

  // ───────────────────────────── the group coordinator's calls ─────────────────────────────

  private async onRevoke(partitions: readonly TopicPartition[]): Promise<void> {
    for (const tp of partitions) {
      const owned = this.owned.get(partitionKey(tp.topic, tp.partition));
      if (owned !== undefined) owned.phase = 'revoking';
    }
    await this.callListener((listener) => listener.onPartitionsRevoked(partitions));
    for (const tp of partitions) this.owned.delete(partitionKey(tp.topic, tp.partition));
    this.reorder();
  }

  private async onAssign(partitions: readonly TopicPartition[]): Promise<void> {
    const added: OwnedPartition[] = partitions.map((tp) => ({ topic: tp.topic, partition: tp.partition, position: this.initialPosition(tp), paused: false, phase: 'assigning' }));
    for (const owned of added) this.owned.set(partitionKey(owned.topic, owned.partition), owned);
    this.reorder();
    await this.callListener((listener) => listener.onPartitionsAssigned(partitions));
    for (const owned of added) if (owned.phase === 'assigning') owned.phase = 'active';
    this.wakeUp();
  }

  private async onLost(partitions: readonly TopicPartition[]): Promise<void> {
    for (const tp of partitions) this.owned.delete(partitionKey(tp.topic, tp.partition));
    this.reorder();
    this.expelled = true;
    await this.callListener((listener) => listener.onPartitionsLost(partitions));
    this.wakeUp();
  }

  private async callListener(call: (listener: RebalanceListener) => Promise<void>): Promise<void> {
    if (this.listener === null) return;
    try {
      await call(this.listener);
    } catch (error) {
      this.listenerError ??= { error };
    }
  }

  // ───────────────────────────── internals ─────────────────────────────

  private initialPosition(tp: TopicPartition): number {
    const committed = this.group === null ? undefined : this.log.committed(this.group, tp.topic, tp.partition);
    if (committed !== undefined) return committed;
    return this.startFrom === 'latest' ? this.log.endOffset(tp.topic, tp.partition) : this.log.startOffset(tp.topic, tp.partition);
  }

  private reorder(): void {
    this.order = [...this.owned.values()].sort(compareTopicPartitions);
  }

  private fetch(max: number): SourceRecord[] {
    const out: SourceRecord[] = [];
    const order = this.order;
    const n = order.length;
    let ready = 0;
    for (const o of order) if (o.phase === 'active' && !o.paused) ready++;
    if (ready === 0) return out;
    const quota = Math.max(1, Math.ceil(max / ready));
    const first = this.turn;
    this.turn = (this.turn + 1) % n;
    // First pass: a fair share each; second pass: what is left, to whoever has records.
    for (let pass = 0; pass < 2 && out.length < max; pass++) {
      for (let k = 0; k < n && out.length < max; k++) {
        const o = order[(first + k) % n] as OwnedPartition;
        if (o.phase !== 'active' || o.paused) continue;
        const limit = pass === 0 ? Math.min(quota, max - out.length) : max - out.length;
        o.position = this.log.readInto(o.topic, o.partition, o.position, limit, out);
      }
    }
    return out;
  }

  private waitForWork(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        unsubscribe();
        if (this.wake === done) this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      const unsubscribe = this.log.onAppend(done);
      this.wake = done;
    });
  }

  private wakeUp(): void {
    this.wake?.();
  }

  private throwListenerError(): void {
    const failure = this.listenerError;
    if (failure === null) return;
    this.listenerError = null;
    throw failure.error;
  }

  private ensureOpen(): void {
    if (this.closed) throw new Error(`${this.memberId} is closed`);
  }
}
