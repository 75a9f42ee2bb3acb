// Throughput of the simulator: `npx tsx runtime/src/simulator/bench.ts [records]`. Reports records
// per second of CPU time (user + system, so other load on the machine distorts it less than wall
// time would) for a few configurations. Not part of the tests: nothing there measures time.
import { WebsiteEventSimulator, type SimulatorOptions } from './index.ts';

function measure(label: string, count: number, options: SimulatorOptions): void {
  const simulator = new WebsiteEventSimulator({ seed: 9, ratePerSecond: Number.POSITIVE_INFINITY, ...options });
  for (let i = 0; i < 200_000; i++) simulator.next(); // warm up the JIT and the session population
  let chars = 0;
  let check = 0;
  const cpu = process.cpuUsage();
  const wall = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const value = simulator.next().value;
    chars += value.length;
    check ^= value.charCodeAt(value.length >> 1); // touch the text, as a consumer would
  }
  const used = process.cpuUsage(cpu);
  const seconds = (used.user + used.system) / 1e6;
  const wallSeconds = Number(process.hrtime.bigint() - wall) / 1e9;
  const perSecond = count / seconds;
  console.log(
    `${label.padEnd(44)} ${(perSecond / 1e6).toFixed(2)} M records/s  ${((chars / seconds) / 1e6).toFixed(0).padStart(4)} M chars/s  ` +
      `(${(chars / count).toFixed(0)} chars/record, cpu ${seconds.toFixed(2)} s, wall ${wallSeconds.toFixed(2)} s)${check < 0 ? '' : ''}`,
  );
}

const count = Number(process.argv[2] ?? 3_000_000);
measure('default (sessionData on every event)', count, {});
measure('sessionData on SESSION_START only', count, { sessionDataOn: 'start' });
measure('1 % out-of-order, 0.5 % late, 1 % malformed', count, {
  outOfOrder: { fraction: 0.01, maxDelayMs: 3_000 },
  late: { fraction: 0.005, delayMs: 70_000 },
  malformed: { fraction: 0.01 },
});
measure('100 000 users', count, { users: 100_000 });
