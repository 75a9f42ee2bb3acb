// The hub's own Prometheus metrics, on the registry it is given (the pipeline's FlowcMetrics
// registry in `flowc run`). Registering twice on one registry reuses the metrics.
//
// The hub serves `/metrics`, so the registry it is given also gets the process and Node.js metrics
// (`collectProcessMetrics`: CPU, memory, event-loop lag, GC), once. Its counters start at 0 for
// every pipeline it serves (those with a `flowc_websocket_clients` series, which the hub sets when
// it starts) and every message type, so that `rate()` sees their first increment.
import { Counter, Gauge, type Registry } from 'prom-client';
import { collectProcessMetrics } from '../metrics/process.ts';
import type { ServerMessage } from './protocol.ts';

export interface HubMetrics {
  /** `flowc_websocket_clients`: WebSocket clients connected. */
  readonly clients: Gauge<'pipeline'>;
  /** `flowc_websocket_clients_dropped_total`: clients terminated for not reading (send buffer full). */
  readonly dropped: Counter<'pipeline'>;
  /** `flowc_hub_messages_total{type}`: messages made, once each however many clients get them. */
  readonly messages: Counter<'pipeline' | 'type'>;
}

/** Every message type the hub makes (a `Record` over the protocol's union, so a new type cannot be missed). */
const MESSAGE_TYPES = Object.keys({ hello: true, snapshot: true, update: true, alert: true, health: true, error: true } satisfies Record<ServerMessage['type'], true>);

export function hubMetrics(registry: Registry): HubMetrics {
  collectProcessMetrics(registry);
  const existing = (name: string): unknown => registry.getSingleMetric(name);
  const clients =
    (existing('flowc_websocket_clients') as Gauge<'pipeline'> | undefined) ??
    new Gauge({ name: 'flowc_websocket_clients', help: 'Dashboard WebSocket clients connected.', labelNames: ['pipeline'], registers: [registry] });
  /** The pipelines the hub serves: those it has set the clients gauge for. */
  const pipelines = async (): Promise<string[]> => (await clients.get()).values.map((v) => String(v.labels.pipeline));
  const dropped =
    (existing('flowc_websocket_clients_dropped_total') as Counter<'pipeline'> | undefined) ??
    new Counter({
      name: 'flowc_websocket_clients_dropped_total',
      help: 'Dashboard clients dropped for falling behind (send buffer full).',
      labelNames: ['pipeline'],
      registers: [registry],
      async collect() {
        for (const pipeline of await pipelines()) this.inc({ pipeline }, 0);
      },
    });
  const messages =
    (existing('flowc_hub_messages_total') as Counter<'pipeline' | 'type'> | undefined) ??
    new Counter({
      name: 'flowc_hub_messages_total',
      help: 'Messages the dashboard hub made, by type (hello, snapshot, update, alert, health, error); a broadcast counts once.',
      labelNames: ['pipeline', 'type'],
      registers: [registry],
      async collect() {
        for (const pipeline of await pipelines()) for (const type of MESSAGE_TYPES) this.inc({ pipeline, type }, 0);
      },
    });
  return { clients, dropped, messages };
}
