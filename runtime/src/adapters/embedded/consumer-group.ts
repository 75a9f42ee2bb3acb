// The group coordinator of the embedded log: which member of a consumer group owns which
// partition, and the rebalance protocol that moves partitions between members.
//
// Assignment is Kafka's RoundRobinAssignor: every partition of the subscribed topics, sorted by
// (topic, partition), is dealt in turn to the members (in join order) that subscribe to its topic.
//
// Rebalances follow the cooperative protocol's ordering: a partition is never owned by two members
// at once. A rebalance first revokes the partitions that move (each losing member's
// `onPartitionsRevoked` runs, and it checkpoints and commits them there), waits for every revoke,
// then assigns them (each gaining member's `onPartitionsAssigned` runs, reading the offsets just
// committed). Partitions that stay with their member are neither revoked nor assigned. Rebalances
// of one group run one at a time, in the order they were asked for.
//
// Members never throw into the coordinator: a failing listener's error is kept by its member and
// rethrown from that member's next call (as Kafka rethrows a listener's exception from `poll`).
import type { TopicPartition } from '../../api/index.ts';

/** The coordinator's view of a member (implemented by `EmbeddedLogSource`). */
export interface GroupMember {
  readonly memberId: string;
  readonly topics: readonly string[];
  /** The partitions the member owns now. */
  owned(): readonly TopicPartition[];
  /** Orderly hand-over: the member may checkpoint and commit `partitions` before this resolves. */
  revoke(partitions: readonly TopicPartition[]): Promise<void>;
  assign(partitions: readonly TopicPartition[]): Promise<void>;
  /** The partitions were taken away without a hand-over (the member was expelled). */
  lose(partitions: readonly TopicPartition[]): Promise<void>;
}

/** How a member leaves: `close` (revokes its partitions first), `crash` (no callback at all), `expel` (its partitions are lost). */
export type LeaveReason = 'close' | 'crash' | 'expel';

export function partitionKey(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}

export function compareTopicPartitions(a: TopicPartition, b: TopicPartition): number {
  if (a.topic !== b.topic) return a.topic < b.topic ? -1 : 1;
  return a.partition - b.partition;
}

/**
 * Kafka's round-robin assignment: partitions sorted by (topic, partition) are dealt to the members
 * subscribing to their topic, cycling through the members in order.
 */
export function roundRobinAssignment(
  members: readonly Pick<GroupMember, 'memberId' | 'topics'>[],
  partitionsOf: (topic: string) => number,
): Map<string, TopicPartition[]> {
  const result = new Map<string, TopicPartition[]>(members.map((m) => [m.memberId, []]));
  const topics = [...new Set(members.flatMap((m) => m.topics))].sort();
  let next = 0;
  for (const topic of topics) {
    const count = partitionsOf(topic);
    for (let partition = 0; partition < count; partition++) {
      for (let tried = 0; tried < members.length; tried++) {
        const member = members[next % members.length] as Pick<GroupMember, 'memberId' | 'topics'>;
        next++;
        if (member.topics.includes(topic)) {
          (result.get(member.memberId) as TopicPartition[]).push({ topic, partition });
          break;
        }
      }
    }
  }
  return result;
}

export class GroupCoordinator {
  private members: GroupMember[] = [];
  private queue: Promise<void> = Promise.resolve();
  private generationId = 0;

  constructor(
    readonly group: string,
    private readonly partitionsOf: (topic: string) => number,
  ) {}

  /** Bumped by every completed rebalance. */
  get generation(): number {
    return this.generationId;
  }

  memberIds(): string[] {
    return this.members.map((m) => m.memberId);
  }

  /** Who owns what, as the members report it. */
  assignment(): Map<string, readonly TopicPartition[]> {
    return new Map(this.members.map((m) => [m.memberId, m.owned()]));
  }

  /** Adds `member` and rebalances; resolves once every member's callbacks have run. */
  join(member: GroupMember): Promise<void> {
    return this.serially(async () => {
      if (this.members.some((m) => m.memberId === member.memberId)) return;
      this.members.push(member);
      await this.rebalance();
    });
  }

  /** Removes `member` (see `LeaveReason`) and rebalances the others. */
  leave(member: GroupMember, reason: LeaveReason): Promise<void> {
    return this.serially(async () => {
      if (!this.members.includes(member)) return;
      const owned = member.owned();
      if (reason === 'close' && owned.length > 0) await member.revoke(owned);
      if (reason === 'expel' && owned.length > 0) await member.lose(owned);
      this.members = this.members.filter((m) => m !== member);
      await this.rebalance();
    });
  }

  private serially(step: () => Promise<void>): Promise<void> {
    const run = this.queue.then(step);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async rebalance(): Promise<void> {
    const target = roundRobinAssignment(this.members, this.partitionsOf);
    const moves = this.members.map((member) => {
      const now = member.owned();
      const wanted = target.get(member.memberId) ?? [];
      const nowKeys = new Set(now.map((tp) => partitionKey(tp.topic, tp.partition)));
      const wantedKeys = new Set(wanted.map((tp) => partitionKey(tp.topic, tp.partition)));
      return {
        member,
        revoked: now.filter((tp) => !wantedKeys.has(partitionKey(tp.topic, tp.partition))),
        assigned: wanted.filter((tp) => !nowKeys.has(partitionKey(tp.topic, tp.partition))),
      };
    });
    await Promise.all(moves.filter((m) => m.revoked.length > 0).map((m) => m.member.revoke(m.revoked)));
    await Promise.all(moves.filter((m) => m.assigned.length > 0).map((m) => m.member.assign(m.assigned)));
    this.generationId++;
  }
}
