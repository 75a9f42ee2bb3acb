// The dashboard hub: HTTP (/metrics, /healthz, /api/manifest, /api/history, a minimal page) and a
// WebSocket (/ws) pushing window results and alerts. See README.md.
export { DashboardHub, type DashboardHubOptions, type HealthFigures, type HistoryProvider, type HistoryQuery, type HistorySeries, type MetricsEndpoint } from './server.ts';
export { HubSink, type Publisher } from './sink.ts';
export { dashboardPage } from './page.ts';
export { PROTOCOL_VERSION, parseHubMessage, type AlertMessage, type HealthMessage, type HealthStatus, type HubMessage, type UpdateMessage } from './protocol.ts';
