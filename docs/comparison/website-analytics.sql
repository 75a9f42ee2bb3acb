-- The reference website-analytics job in Flink SQL (Flink 2.2: windowing TVFs incl. SESSION,
-- PERCENTILE, MATCH_RECOGNIZE). Same metrics as pipelines/website-analytics.flow; the gaps are
-- listed in docs/language.md ("What the peers cannot say"). Run with the SQL client:
--   sql-client.sh -f website-analytics.sql
-- Not expressible here, so not included: InfluxDB writes (Flink has no InfluxDB SQL connector; a
-- Telegraf or Kafka Connect job must copy processed-metrics into InfluxDB), the dashboard push,
-- a dead-letter topic, the SESSION_END close, allowed lateness and late output, early firings.

SET 'table.exec.source.idle-timeout' = '1 min';

CREATE TABLE events (
  eventId STRING,
  `timestamp` BIGINT,
  eventType STRING,
  userId STRING,
  sessionId STRING,
  pageViewData ROW<url STRING, title STRING, referrer STRING, pageLoadTime INT>,
  sessionData ROW<userAgent STRING, ipAddress STRING, country STRING, city STRING,
                  deviceType STRING, browser STRING, os STRING>,
  conversionData ROW<orderId STRING, revenue DOUBLE>,
  ts AS TO_TIMESTAMP_LTZ(`timestamp`, 3),
  pt AS PROCTIME(),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'website-analytics-events',
  'properties.bootstrap.servers' = 'kafka-1:9092',
  'properties.group.id' = 'website-analytics',
  'scan.startup.mode' = 'latest-offset',
  'format' = 'json',
  'json.ignore-parse-errors' = 'true'   -- undecodable records are dropped, not dead-lettered
);

-- One row per metric set; the dimension is the country or the page, NULL for global metrics.
CREATE TABLE processed_metrics (
  `aggregate` STRING,
  dimension STRING,
  window_start TIMESTAMP(3),
  window_end TIMESTAMP(3),
  fields MAP<STRING, DOUBLE>
) WITH (
  'connector' = 'kafka',
  'topic' = 'processed-metrics',
  'properties.bootstrap.servers' = 'kafka-1:9092',
  'format' = 'json'
);

CREATE TABLE cep_alerts (
  alertType STRING,
  severity STRING,
  title STRING,
  message STRING,
  alert_key STRING,
  alert_time TIMESTAMP(3)
) WITH (
  'connector' = 'kafka',
  'topic' = 'cep-alerts',
  'properties.bootstrap.servers' = 'kafka-1:9092',
  'format' = 'json'
);

CREATE TABLE session_log (
  sessionId STRING,
  window_start TIMESTAMP(3),
  window_end TIMESTAMP(3),
  user_id STRING,
  duration_s DOUBLE,
  pages BIGINT,
  converted BOOLEAN,
  reached_checkout BOOLEAN
) WITH ('connector' = 'print');

-- Sessions: 30 min gap per sessionId (no early close on SESSION_END, no allowed lateness).
CREATE TEMPORARY VIEW sessions AS
SELECT
  sessionId, window_start AS session_start, window_end AS session_end, window_time AS session_time,
  MIN(userId) AS user_id,  -- FIRST_VALUE cannot merge, so session windows reject it
  (MAX(`timestamp`) - MIN(`timestamp`)) / 1000.0 AS duration_s,
  COUNT(*) FILTER (WHERE eventType = 'PAGE_VIEW') AS pages,
  COUNT(*) FILTER (WHERE eventType = 'CONVERSION') > 0 AS converted,
  COUNT(*) FILTER (WHERE COALESCE(pageViewData.url, '') LIKE '/checkout%') > 0 AS reached_checkout
FROM TABLE(SESSION(TABLE events PARTITION BY sessionId, DESCRIPTOR(ts), INTERVAL '30' MINUTES))
GROUP BY sessionId, window_start, window_end, window_time;

CREATE TEMPORARY VIEW page_views AS
SELECT userId, sessionId, COALESCE(pageViewData.url, '(unknown)') AS url, ts, pt
FROM events
WHERE eventType = 'PAGE_VIEW';

CREATE TEMPORARY VIEW located_events AS
SELECT COALESCE(sessionData.country, '??') AS country, userId, ts
FROM events
WHERE sessionData IS NOT NULL;

CREATE TEMPORARY VIEW flat_events AS
SELECT sessionId, userId, eventType, COALESCE(pageViewData.url, '') AS url, ts
FROM events;

EXECUTE STATEMENT SET
BEGIN

INSERT INTO session_log
SELECT sessionId, session_start, session_end, user_id, CAST(duration_s AS DOUBLE), pages, converted, reached_checkout
FROM sessions;

-- Real-time metrics: 5 s processing-time tumbling windows.
INSERT INTO processed_metrics
SELECT 'realtime', CAST(NULL AS STRING), window_start, window_end, MAP[
    'page_views_per_second', CAST(COUNT(*) FILTER (WHERE eventType = 'PAGE_VIEW') AS DOUBLE) / 5,
    'active_users', CAST(COUNT(DISTINCT userId) AS DOUBLE)]
FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(pt), INTERVAL '5' SECONDS))
GROUP BY window_start, window_end;

-- Session health: 5 s tumbling windows over the session rows (event time: the session's window_time).
INSERT INTO processed_metrics
SELECT 'session_health', CAST(NULL AS STRING), window_start, window_end, MAP[
    'bounce_rate', AVG(CASE WHEN pages <= 1 THEN 1.0 ELSE 0.0 END) * 100,
    'avg_session_duration', CAST(AVG(duration_s) AS DOUBLE),
    'p95_session_duration', PERCENTILE(duration_s, 0.95)]
FROM TABLE(TUMBLE(TABLE sessions, DESCRIPTOR(session_time), INTERVAL '5' SECONDS))
GROUP BY window_start, window_end;

-- Business metrics: 1 min windows sliding every 10 s.
INSERT INTO processed_metrics
SELECT 'business', CAST(NULL AS STRING), window_start, window_end, MAP[
    'conversion_rate', CAST(COUNT(*) FILTER (WHERE eventType = 'CONVERSION') AS DOUBLE) / COUNT(DISTINCT userId) * 100,
    'revenue_per_user', SUM(COALESCE(conversionData.revenue, 0.0)) / COUNT(DISTINCT userId)]
FROM TABLE(HOP(TABLE events, DESCRIPTOR(ts), INTERVAL '10' SECONDS, INTERVAL '1' MINUTE))
GROUP BY window_start, window_end;

-- Popular pages: window Top-N, one row per page and rank.
INSERT INTO processed_metrics
SELECT 'popular_pages', url, window_start, window_end,
       MAP['views', CAST(view_count AS DOUBLE), 'rank', CAST(page_rank AS DOUBLE)]
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY view_count DESC) AS page_rank
  FROM (
    SELECT window_start, window_end, url, COUNT(*) AS view_count
    FROM TABLE(HOP(TABLE page_views, DESCRIPTOR(ts), INTERVAL '10' SECONDS, INTERVAL '1' MINUTE))
    GROUP BY window_start, window_end, url
  )
)
WHERE page_rank <= 10;

-- Geography: distinct users and events per country, 1 min sliding every 10 s.
INSERT INTO processed_metrics
SELECT 'geography', country, window_start, window_end,
       MAP['users', CAST(COUNT(DISTINCT userId) AS DOUBLE), 'events', CAST(COUNT(*) AS DOUBLE)]
FROM TABLE(HOP(TABLE located_events, DESCRIPTOR(ts), INTERVAL '10' SECONDS, INTERVAL '1' MINUTE))
GROUP BY window_start, window_end, country;

-- Funnel over completed sessions, 1 min tumbling.
INSERT INTO processed_metrics
SELECT 'funnel', CAST(NULL AS STRING), window_start, window_end, MAP[
    'sessions_started', CAST(COUNT(*) AS DOUBLE),
    'reached_checkout', CAST(COUNT(*) FILTER (WHERE reached_checkout) AS DOUBLE),
    'converted', CAST(COUNT(*) FILTER (WHERE converted) AS DOUBLE),
    'abandonment_rate', CAST(COUNT(*) FILTER (WHERE reached_checkout AND NOT converted) AS DOUBLE)
                        / COUNT(*) FILTER (WHERE reached_checkout) * 100,
    'avg_pages', CAST(AVG(CAST(pages AS DOUBLE)) AS DOUBLE)]
FROM TABLE(TUMBLE(TABLE sessions, DESCRIPTOR(session_time), INTERVAL '1' MINUTE))
GROUP BY window_start, window_end;

-- HIGH_BOUNCE_RATE: one page view by a user in a 5 min processing-time window.
INSERT INTO cep_alerts
SELECT 'HIGH_BOUNCE_RATE', 'medium', 'High Bounce Rate Detected',
       CONCAT('User ', userId, ' viewed only one page'), userId, window_end
FROM TABLE(TUMBLE(TABLE page_views, DESCRIPTOR(pt), INTERVAL '5' MINUTES))
GROUP BY window_start, window_end, userId
HAVING COUNT(*) = 1;

-- CHECKOUT_ABANDONED. MATCH_RECOGNIZE cannot emit a timed-out partial match, so the absence is
-- confirmed by the first event of the same session that arrives 30 minutes or more after the
-- checkout: a session that simply goes quiet never produces the alert.
INSERT INTO cep_alerts
SELECT 'CHECKOUT_ABANDONED', 'high', 'CHECKOUT_ABANDONED',
       CONCAT('Session ', sessionId, ' of user ', user_id, ' reached ', checkout_url,
              ' and did not convert within 30 minutes'),
       sessionId, CAST(checkout_time AS TIMESTAMP(3))
FROM flat_events
  MATCH_RECOGNIZE (
    PARTITION BY sessionId
    ORDER BY ts
    MEASURES CK.userId AS user_id, CK.url AS checkout_url, CK.ts AS checkout_time
    ONE ROW PER MATCH
    AFTER MATCH SKIP PAST LAST ROW
    PATTERN (CK OTHER* LATER)
    DEFINE
      CK AS CK.eventType = 'PAGE_VIEW' AND CK.url LIKE '/checkout%',
      OTHER AS OTHER.eventType <> 'CONVERSION' AND OTHER.ts < CK.ts + INTERVAL '30' MINUTE,
      LATER AS LATER.ts >= CK.ts + INTERVAL '30' MINUTE
  );

END;

-- The absence without the "later event" caveat needs a LEFT interval join instead of
-- MATCH_RECOGNIZE (unmatched checkouts are emitted once the watermark passes checkout + 30 min):
--
--   INSERT INTO cep_alerts
--   SELECT 'CHECKOUT_ABANDONED', 'high', 'CHECKOUT_ABANDONED',
--          CONCAT('Session ', c.sessionId, ' of user ', c.userId, ' reached ', c.url,
--                 ' and did not convert within 30 minutes'),
--          c.sessionId, CAST(c.ts AS TIMESTAMP(3))
--   FROM page_views AS c
--   LEFT JOIN events AS p
--     ON p.sessionId = c.sessionId AND p.eventType = 'CONVERSION'
--    AND p.ts BETWEEN c.ts AND c.ts + INTERVAL '30' MINUTE
--   WHERE c.url LIKE '/checkout%' AND p.eventId IS NULL;
