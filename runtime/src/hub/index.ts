// The dashboard hub: HTTP (/metrics, /healthz, /api/manifest, /api/history, the dashboard or a
// minimal page) and a WebSocket (/ws, protocol v3) pushing subscribed window results and alerts.
// See README.md.
export { DashboardHub, type DashboardHubOptions, type HealthFigures, type MetricsEndpoint } from './server.ts';
export { DEFAULT_SNAPSHOT_LIMIT } from './feed.ts';
export {
  StoredSeriesHistory,
  groupIdentity,
  mergeRows,
  pivotSeries,
  rowIdentity,
  rowKeyExclusion,
  type GroupedRow,
  type HistoryProvider,
  type HistoryQuery,
  type HistorySeries,
  type MetricHistory,
  type MetricHistoryRequest,
  type SeriesSource,
} from './history.ts';
export { RecentAlerts, RecentRows } from './recent.ts';
export { AccessPolicy, type AccessDecision, type AccessOptions } from './access.ts';
export { CONTENT_TYPES, StaticFiles } from './static-files.ts';
export { HubSink, type Publisher } from './sink.ts';
export { dashboardPage } from './page.ts';
export {
  PROTOCOL_VERSION,
  parseClientMessage,
  parseServerFrame,
  parseServerMessage,
  type AlertMessage,
  type AlertRecord,
  type AlertSnapshotMessage,
  type ClientMessage,
  type ErrorCode,
  type ErrorMessage,
  type HealthMessage,
  type HealthStatus,
  type HelloMessage,
  type HistoryRequest,
  type MetricSnapshotMessage,
  type ParsedClientMessage,
  type RowChange,
  type ServerMessage,
  type SnapshotMessage,
  type StreamInfo,
  type SubscribeMessage,
  type UnsubscribeMessage,
  type UpdateMessage,
  type WindowRow,
} from './protocol.ts';
