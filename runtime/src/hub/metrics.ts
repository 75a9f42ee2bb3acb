// The hub's own Prometheus metrics, on the registry it is given (the pipeline's FlowcMetrics
// registry in `flowc run`). Registering twice on one registry reuses the metrics.
import { Counter, Gauge, type Registry } from 'prom-client';

export interface HubMetrics {
  /** `flowc_websocket_clients`: WebSocket clients connected. */
  readonly clients: Gauge<'pipeline'>;
  /** `flowc_websocket_clients_dropped_total`: clients terminated for not reading (send buffer full). */
  readonly dropped: Counter<'pipeline'>;
  /** `flowc_hub_messages_total{type}`: messages made, once each however many clients get them. */
  readonly messages: Counter<'pipeline' | 'type'>;
}

export function hubMetrics(registry: Registry): HubMetrics {
  const existing = (name: string): unknown => registry.getSingleMetric(name);
  const clients =
    (existing('flowc_websocket_clients') as Gauge<'pipeline'> | undefined) ??
    new Gauge({ name: 'flowc_websocket_clients', help: 'Dashboard WebSocket clients connected.', labelNames: ['pipeline'], registers: [registry] });
  const dropped =
    (existing('flowc_websocket_clients_dropped_total') as Counter<'pipeline'> | undefined) ??
    new Counter({ name: 'flowc_websocket_clients_dropped_total', help: 'Dashboard clients dropped for falling behind (send buffer full).', labelNames: ['pipeline'], registers: [registry] });
  const messages =
    (existing('flowc_hub_messages_total') as Counter<'pipeline' | 'type'> | undefined) ??
    new Counter({
      name: 'flowc_hub_messages_total',
      help: 'Messages the dashboard hub made, by type (hello, snapshot, update, alert, health, error); a broadcast counts once.',
      labelNames: ['pipeline', 'type'],
      registers: [registry],
    });
  return { clients, dropped, messages };
}
