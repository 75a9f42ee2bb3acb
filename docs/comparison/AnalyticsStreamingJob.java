// The reference website-analytics job as a Flink DataStream program (Java 17, Flink 2.2,
// flink-connector-kafka 5.0, flink-cep, influxdb-client-java 7, datasketches-java 6).
// It computes what pipelines/website-analytics.flow computes. One file for the comparison; a real
// project splits it into ~15 files. Not included here: the WebSocket server that pushes the metrics
// to the dashboard (a separate service in the reference, polling InfluxDB every 5 s).
package com.analytics.pipeline;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.influxdb.client.InfluxDBClient;
import com.influxdb.client.InfluxDBClientFactory;
import com.influxdb.client.WriteApiBlocking;
import com.influxdb.client.domain.WritePrecision;
import com.influxdb.client.write.Point;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.Union;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.cep.CEP;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.SimpleCondition;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.EventTimeSessionWindows;
import org.apache.flink.streaming.api.windowing.assigners.SlidingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.TumblingProcessingTimeWindows;
import org.apache.flink.streaming.api.windowing.triggers.Trigger;
import org.apache.flink.streaming.api.windowing.triggers.TriggerResult;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

public class AnalyticsStreamingJob {

    static final String BROKERS = System.getenv().getOrDefault("KAFKA_BROKERS", "kafka-1:9092");
    static final OutputTag<String> DEAD_LETTERS = new OutputTag<>("dead-letters") {};
    static final OutputTag<AnalyticsEvent> LATE_EVENTS = new OutputTag<>("late-session-events") {};
    static final ObjectMapper JSON =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    public static void main(String[] args) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.enableCheckpointing(10_000, CheckpointingMode.EXACTLY_ONCE);

        KafkaSource<String> source = KafkaSource.<String>builder()
                .setBootstrapServers(BROKERS)
                .setTopics("website-analytics-events")
                .setGroupId("website-analytics")
                .setStartingOffsets(OffsetsInitializer.latest())
                .setValueOnlyDeserializer(new SimpleStringSchema())
                .build();

        SingleOutputStreamOperator<AnalyticsEvent> parsed = env
                .fromSource(source, WatermarkStrategy.noWatermarks(), "Kafka: website-analytics-events")
                .process(new EventParser())
                .name("Parse Analytics Events");
        parsed.getSideOutput(DEAD_LETTERS).sinkTo(kafkaSink("website-analytics-dlq")).name("DLQ");

        DataStream<AnalyticsEvent> events = parsed.assignTimestampsAndWatermarks(
                WatermarkStrategy.<AnalyticsEvent>forBoundedOutOfOrderness(Duration.ofSeconds(5))
                        .withTimestampAssigner((event, recordTs) -> event.timestamp)
                        .withIdleness(Duration.ofMinutes(1)));

        DataStream<AnalyticsEvent> pageViews = events.filter(e -> "PAGE_VIEW".equals(e.eventType));

        // Sessions: 30 min gap, closed early by SESSION_END, 1 min allowed lateness.
        SingleOutputStreamOperator<SessionSummary> sessions = events
                .keyBy(e -> e.sessionId)
                .window(EventTimeSessionWindows.withGap(Duration.ofMinutes(30)))
                .trigger(new SessionEndTrigger())
                .allowedLateness(Duration.ofMinutes(1))
                .sideOutputLateData(LATE_EVENTS)
                .aggregate(new SessionAggregate(), new SessionWindowFunction())
                .name("Sessions");
        sessions.getSideOutput(LATE_EVENTS).print("late-event");
        sessions.print("session");

        // Real-time metrics: 5 s processing-time tumbling windows over the whole stream.
        DataStream<Metric> realtime = events
                .keyBy(e -> "global")
                .window(TumblingProcessingTimeWindows.of(Duration.ofSeconds(5)))
                .aggregate(new RealtimeAggregate(), new ToMetric<>("realtime"))
                .name("Realtime metrics");

        DataStream<Metric> sessionHealth = sessions
                .keyBy(s -> "global")
                .window(TumblingProcessingTimeWindows.of(Duration.ofSeconds(5)))
                .process(new SessionHealthFunction())
                .name("Session health");

        // Business metrics: 1 min windows sliding every 10 s, event time.
        DataStream<Metric> business = events
                .keyBy(e -> "global")
                .window(SlidingEventTimeWindows.of(Duration.ofMinutes(1), Duration.ofSeconds(10)))
                .aggregate(new BusinessAggregate(), new ToMetric<>("business"))
                .name("Business metrics");

        DataStream<Metric> popularPages = pageViews
                .keyBy(e -> "global")
                .window(SlidingEventTimeWindows.of(Duration.ofMinutes(1), Duration.ofSeconds(10)))
                .trigger(new EarlyFiringTrigger(Duration.ofSeconds(2)))
                .aggregate(new TopPagesAggregate(10), new ToMetric<>("popular_pages"))
                .name("Popular pages");

        DataStream<Metric> geography = events
                .filter(e -> e.sessionData != null)
                .keyBy(e -> e.sessionData.country == null ? "??" : e.sessionData.country)
                .window(SlidingEventTimeWindows.of(Duration.ofMinutes(1), Duration.ofSeconds(10)))
                .aggregate(new GeographyAggregate(), new GeographyWindowFunction())
                .name("Geography");

        DataStream<Metric> funnel = sessions
                .keyBy(s -> "global")
                .window(TumblingEventTimeWindows.of(Duration.ofMinutes(1)))
                .aggregate(new FunnelAggregate(), new ToMetric<>("funnel"))
                .name("Funnel");

        // HIGH_BOUNCE_RATE: a user with exactly one page view in a 5 min processing-time window.
        DataStream<CEAlert> bounces = pageViews
                .keyBy(e -> e.userId)
                .window(TumblingProcessingTimeWindows.of(Duration.ofMinutes(5)))
                .process(new BounceFunction())
                .name("High bounce rate");

        // CHECKOUT_ABANDONED: a checkout page view not followed by a conversion within 30 min.
        Pattern<AnalyticsEvent, ?> abandonment = Pattern.<AnalyticsEvent>begin("checkout")
                .where(new SimpleCondition<>() {
                    @Override
                    public boolean filter(AnalyticsEvent e) {
                        return "PAGE_VIEW".equals(e.eventType)
                                && e.pageViewData != null && e.pageViewData.url != null
                                && e.pageViewData.url.startsWith("/checkout");
                    }
                })
                .notFollowedBy("paid")
                .where(new SimpleCondition<>() {
                    @Override
                    public boolean filter(AnalyticsEvent e) {
                        return "CONVERSION".equals(e.eventType);
                    }
                })
                .within(Duration.ofMinutes(30));
        DataStream<CEAlert> abandoned = CEP
                .pattern(events.keyBy(e -> e.sessionId), abandonment)
                .process(new AbandonmentFunction())
                .name("Checkout abandoned");

        // Sinks.
        DataStream<Metric> websiteMetrics = realtime.union(sessionHealth, business, geography, funnel);
        websiteMetrics.sinkTo(new InfluxSink("website_metrics")).name("InfluxDB website_metrics");
        popularPages.sinkTo(new InfluxSink("popular_pages")).name("InfluxDB popular_pages");
        websiteMetrics.union(popularPages).map(AnalyticsStreamingJob::toJson)
                .sinkTo(kafkaSink("processed-metrics")).name("Kafka processed-metrics");
        bounces.union(abandoned).map(AnalyticsStreamingJob::toJson)
                .sinkTo(kafkaSink("cep-alerts")).name("Kafka cep-alerts");

        env.execute("Website Analytics Streaming Job");
    }

    // ───────────────────────────── events and results ─────────────────────────────

    public static class AnalyticsEvent {
        public String eventId;
        public long timestamp;
        public String eventType;
        public String userId;
        public String sessionId;
        public PageViewData pageViewData;
        public SessionData sessionData;
        public ConversionData conversionData;
    }

    public static class PageViewData {
        public String url;
        public String title;
        public String referrer;
        public Integer pageLoadTime;
    }

    public static class SessionData {
        public String userAgent;
        public String ipAddress;
        public String country;
        public String city;
        public String deviceType;
        public String browser;
        public String os;
    }

    public static class ConversionData {
        public String orderId;
        public double revenue;
    }

    public static class SessionSummary {
        public String sessionId;
        public String user;
        public long windowStart;
        public long windowEnd;
        public double durationS;
        public long pages;
        public boolean converted;
        public boolean reachedCheckout;

        @Override
        public String toString() {
            return "SessionSummary{" + sessionId + ", user=" + user + ", duration=" + durationS
                    + "s, pages=" + pages + ", converted=" + converted + "}";
        }
    }

    /** One InfluxDB point: measurement, tags, fields and the window end as its time. */
    public static class Metric {
        public String measurement;
        public Map<String, String> tags = new LinkedHashMap<>();
        public Map<String, Object> fields = new LinkedHashMap<>();
        public long timestamp;

        static Metric of(String aggregate, long windowEnd) {
            Metric m = new Metric();
            m.tags.put("aggregate", aggregate);
            m.timestamp = windowEnd;
            return m;
        }

        Metric field(String name, Object value) {
            fields.put(name, value);
            return this;
        }
    }

    /** Implemented by the accumulators: turns the final state into the fields of a metric. */
    interface MetricFields {
        void writeTo(Metric metric, TimeWindow window);
    }

    public static class CEAlert {
        public String alertType;
        public String severity;
        public String title;
        public String description;
        public String key;
        public long timestamp;

        static CEAlert of(String type, String severity, String title, String description, String key, long ts) {
            CEAlert a = new CEAlert();
            a.alertType = type;
            a.severity = severity;
            a.title = title;
            a.description = description;
            a.key = key;
            a.timestamp = ts;
            return a;
        }
    }

    // ───────────────────────────── parsing ─────────────────────────────

    public static class EventParser extends ProcessFunction<String, AnalyticsEvent> {
        @Override
        public void processElement(String json, Context ctx, Collector<AnalyticsEvent> out) {
            try {
                AnalyticsEvent e = JSON.readValue(json, AnalyticsEvent.class);
                if (e.eventType == null || e.userId == null || e.sessionId == null || e.timestamp <= 0) {
                    throw new IllegalArgumentException("missing required field");
                }
                out.collect(e);
            } catch (Exception ex) {
                Map<String, String> dead = new HashMap<>();
                dead.put("reason", String.valueOf(ex.getMessage()));
                dead.put("raw", json);
                ctx.output(DEAD_LETTERS, toJson(dead));
            }
        }
    }

    // ───────────────────────────── sessions ─────────────────────────────

    /** Event-time session trigger that also fires (and purges) as soon as SESSION_END arrives. */
    public static class SessionEndTrigger extends Trigger<AnalyticsEvent, TimeWindow> {
        @Override
        public TriggerResult onElement(AnalyticsEvent e, long ts, TimeWindow window, TriggerContext ctx) {
            if ("SESSION_END".equals(e.eventType)) {
                return TriggerResult.FIRE_AND_PURGE;
            }
            if (window.maxTimestamp() <= ctx.getCurrentWatermark()) {
                return TriggerResult.FIRE; // a late event within the allowed lateness
            }
            ctx.registerEventTimeTimer(window.maxTimestamp());
            return TriggerResult.CONTINUE;
        }

        @Override
        public TriggerResult onEventTime(long time, TimeWindow window, TriggerContext ctx) {
            return time == window.maxTimestamp() ? TriggerResult.FIRE : TriggerResult.CONTINUE;
        }

        @Override
        public TriggerResult onProcessingTime(long time, TimeWindow window, TriggerContext ctx) {
            return TriggerResult.CONTINUE;
        }

        @Override
        public boolean canMerge() {
            return true;
        }

        @Override
        public void onMerge(TimeWindow window, OnMergeContext ctx) {
            if (window.maxTimestamp() > ctx.getCurrentWatermark()) {
                ctx.registerEventTimeTimer(window.maxTimestamp());
            }
        }

        @Override
        public void clear(TimeWindow window, TriggerContext ctx) {
            ctx.deleteEventTimeTimer(window.maxTimestamp());
        }
    }

    public static class SessionAcc {
        public String firstUser;
        public long firstTs = Long.MAX_VALUE;
        public long lastTs = Long.MIN_VALUE;
        public long pages;
        public boolean converted;
        public boolean reachedCheckout;
    }

    public static class SessionAggregate implements AggregateFunction<AnalyticsEvent, SessionAcc, SessionAcc> {
        @Override
        public SessionAcc createAccumulator() {
            return new SessionAcc();
        }

        @Override
        public SessionAcc add(AnalyticsEvent e, SessionAcc acc) {
            if (e.timestamp < acc.firstTs) {
                acc.firstTs = e.timestamp;
                acc.firstUser = e.userId;
            }
            acc.lastTs = Math.max(acc.lastTs, e.timestamp);
            if ("PAGE_VIEW".equals(e.eventType)) {
                acc.pages++;
                if (e.pageViewData != null && e.pageViewData.url != null
                        && e.pageViewData.url.startsWith("/checkout")) {
                    acc.reachedCheckout = true;
                }
            }
            if ("CONVERSION".equals(e.eventType)) {
                acc.converted = true;
            }
            return acc;
        }

        @Override
        public SessionAcc getResult(SessionAcc acc) {
            return acc;
        }

        @Override
        public SessionAcc merge(SessionAcc a, SessionAcc b) {
            SessionAcc m = a.firstTs <= b.firstTs ? a : b;
            SessionAcc other = m == a ? b : a;
            m.lastTs = Math.max(m.lastTs, other.lastTs);
            m.pages += other.pages;
            m.converted |= other.converted;
            m.reachedCheckout |= other.reachedCheckout;
            return m;
        }
    }

    public static class SessionWindowFunction
            extends ProcessWindowFunction<SessionAcc, SessionSummary, String, TimeWindow> {
        @Override
        public void process(String sessionId, Context ctx, Iterable<SessionAcc> accs, Collector<SessionSummary> out) {
            SessionAcc acc = accs.iterator().next();
            SessionSummary s = new SessionSummary();
            s.sessionId = sessionId;
            s.user = acc.firstUser;
            s.windowStart = ctx.window().getStart();
            s.windowEnd = ctx.window().getEnd();
            s.durationS = (acc.lastTs - acc.firstTs) / 1000.0;
            s.pages = acc.pages;
            s.converted = acc.converted;
            s.reachedCheckout = acc.reachedCheckout;
            out.collect(s);
        }
    }

    // ───────────────────────────── windowed metrics ─────────────────────────────

    /** Wraps any accumulator that knows its fields into a Metric stamped with the window end. */
    public static class ToMetric<A extends MetricFields> extends ProcessWindowFunction<A, Metric, String, TimeWindow> {
        private final String aggregate;

        ToMetric(String aggregate) {
            this.aggregate = aggregate;
        }

        @Override
        public void process(String key, Context ctx, Iterable<A> accs, Collector<Metric> out) {
            Metric metric = Metric.of(aggregate, ctx.window().getEnd());
            metric.fields.put("window_start", ctx.window().getStart());
            accs.iterator().next().writeTo(metric, ctx.window());
            out.collect(metric);
        }
    }

    public static class RealtimeAcc implements MetricFields {
        public long pageViews;
        public HllSketch users = new HllSketch(12);

        @Override
        public void writeTo(Metric m, TimeWindow w) {
            double seconds = (w.getEnd() - w.getStart()) / 1000.0;
            m.field("page_views_per_second", pageViews / seconds).field("active_users", Math.round(users.getEstimate()));
        }
    }

    public static class RealtimeAggregate implements AggregateFunction<AnalyticsEvent, RealtimeAcc, RealtimeAcc> {
        @Override
        public RealtimeAcc createAccumulator() {
            return new RealtimeAcc();
        }

        @Override
        public RealtimeAcc add(AnalyticsEvent e, RealtimeAcc acc) {
            if ("PAGE_VIEW".equals(e.eventType)) {
                acc.pageViews++;
            }
            acc.users.update(e.userId);
            return acc;
        }

        @Override
        public RealtimeAcc getResult(RealtimeAcc acc) {
            return acc;
        }

        @Override
        public RealtimeAcc merge(RealtimeAcc a, RealtimeAcc b) {
            Union union = new Union(12);
            union.update(a.users);
            union.update(b.users);
            a.users = union.getResult();
            a.pageViews += b.pageViews;
            return a;
        }
    }

    public static class SessionHealthFunction extends ProcessWindowFunction<SessionSummary, Metric, String, TimeWindow> {
        @Override
        public void process(String key, Context ctx, Iterable<SessionSummary> sessions, Collector<Metric> out) {
            List<Double> durations = new ArrayList<>();
            long bounced = 0;
            for (SessionSummary s : sessions) {
                durations.add(s.durationS);
                if (s.pages <= 1) {
                    bounced++;
                }
            }
            durations.sort(Comparator.naturalOrder());
            int n = durations.size();
            double avg = durations.stream().mapToDouble(Double::doubleValue).sum() / n;
            double p95 = durations.get(Math.min(n - 1, (int) Math.ceil(0.95 * n) - 1));
            out.collect(Metric.of("session_health", ctx.window().getEnd())
                    .field("bounce_rate", 100.0 * bounced / n)
                    .field("avg_session_duration", avg)
                    .field("p95_session_duration", p95));
        }
    }

    public static class BusinessAcc implements MetricFields {
        public long conversions;
        public double revenue;
        public Set<String> users = new HashSet<>();

        @Override
        public void writeTo(Metric m, TimeWindow w) {
            m.field("conversion_rate", 100.0 * conversions / users.size())
                    .field("revenue_per_user", revenue / users.size());
        }
    }

    public static class BusinessAggregate implements AggregateFunction<AnalyticsEvent, BusinessAcc, BusinessAcc> {
        @Override
        public BusinessAcc createAccumulator() {
            return new BusinessAcc();
        }

        @Override
        public BusinessAcc add(AnalyticsEvent e, BusinessAcc acc) {
            if ("CONVERSION".equals(e.eventType)) {
                acc.conversions++;
            }
            if (e.conversionData != null) {
                acc.revenue += e.conversionData.revenue;
            }
            acc.users.add(e.userId);
            return acc;
        }

        @Override
        public BusinessAcc getResult(BusinessAcc acc) {
            return acc;
        }

        @Override
        public BusinessAcc merge(BusinessAcc a, BusinessAcc b) {
            a.conversions += b.conversions;
            a.revenue += b.revenue;
            a.users.addAll(b.users);
            return a;
        }
    }

    public static class TopPagesAcc implements MetricFields {
        public Map<String, Long> views = new HashMap<>();
        public int k;

        @Override
        public void writeTo(Metric m, TimeWindow w) {
            List<Map<String, Object>> top = new ArrayList<>();
            views.entrySet().stream()
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .limit(k)
                    .forEach(en -> top.add(Map.<String, Object>of("value", en.getKey(), "count", en.getValue())));
            m.field("top_pages", toJson(top));
        }
    }

    public static class TopPagesAggregate implements AggregateFunction<AnalyticsEvent, TopPagesAcc, TopPagesAcc> {
        private final int k;

        TopPagesAggregate(int k) {
            this.k = k;
        }

        @Override
        public TopPagesAcc createAccumulator() {
            TopPagesAcc acc = new TopPagesAcc();
            acc.k = k;
            return acc;
        }

        @Override
        public TopPagesAcc add(AnalyticsEvent e, TopPagesAcc acc) {
            String url = e.pageViewData != null && e.pageViewData.url != null ? e.pageViewData.url : "(unknown)";
            acc.views.merge(url, 1L, Long::sum);
            return acc;
        }

        @Override
        public TopPagesAcc getResult(TopPagesAcc acc) {
            return acc;
        }

        @Override
        public TopPagesAcc merge(TopPagesAcc a, TopPagesAcc b) {
            b.views.forEach((url, n) -> a.views.merge(url, n, Long::sum));
            return a;
        }
    }

    /** Event-time firing at the window end, plus early firings every `interval` of processing time. */
    public static class EarlyFiringTrigger extends Trigger<AnalyticsEvent, TimeWindow> {
        private final long interval;

        EarlyFiringTrigger(Duration interval) {
            this.interval = interval.toMillis();
        }

        @Override
        public TriggerResult onElement(AnalyticsEvent e, long ts, TimeWindow window, TriggerContext ctx) {
            if (window.maxTimestamp() <= ctx.getCurrentWatermark()) {
                return TriggerResult.FIRE;
            }
            ctx.registerEventTimeTimer(window.maxTimestamp());
            long now = ctx.getCurrentProcessingTime();
            ctx.registerProcessingTimeTimer(now - (now % interval) + interval);
            return TriggerResult.CONTINUE;
        }

        @Override
        public TriggerResult onEventTime(long time, TimeWindow window, TriggerContext ctx) {
            return time == window.maxTimestamp() ? TriggerResult.FIRE : TriggerResult.CONTINUE;
        }

        @Override
        public TriggerResult onProcessingTime(long time, TimeWindow window, TriggerContext ctx) {
            return TriggerResult.FIRE;
        }

        @Override
        public void clear(TimeWindow window, TriggerContext ctx) {
            ctx.deleteEventTimeTimer(window.maxTimestamp());
        }
    }

    public static class GeographyAcc {
        public Set<String> users = new HashSet<>();
        public long events;
    }

    public static class GeographyAggregate implements AggregateFunction<AnalyticsEvent, GeographyAcc, GeographyAcc> {
        @Override
        public GeographyAcc createAccumulator() {
            return new GeographyAcc();
        }

        @Override
        public GeographyAcc add(AnalyticsEvent e, GeographyAcc acc) {
            acc.users.add(e.userId);
            acc.events++;
            return acc;
        }

        @Override
        public GeographyAcc getResult(GeographyAcc acc) {
            return acc;
        }

        @Override
        public GeographyAcc merge(GeographyAcc a, GeographyAcc b) {
            a.users.addAll(b.users);
            a.events += b.events;
            return a;
        }
    }

    public static class GeographyWindowFunction extends ProcessWindowFunction<GeographyAcc, Metric, String, TimeWindow> {
        @Override
        public void process(String country, Context ctx, Iterable<GeographyAcc> accs, Collector<Metric> out) {
            GeographyAcc acc = accs.iterator().next();
            Metric m = Metric.of("geography", ctx.window().getEnd())
                    .field("users", (long) acc.users.size())
                    .field("events", acc.events);
            m.tags.put("country", country);
            out.collect(m);
        }
    }

    public static class FunnelAcc implements MetricFields {
        public long sessions;
        public long reachedCheckout;
        public long converted;
        public long abandoned;
        public long pages;

        @Override
        public void writeTo(Metric m, TimeWindow w) {
            m.field("sessions_started", sessions)
                    .field("reached_checkout", reachedCheckout)
                    .field("converted", converted)
                    .field("abandonment_rate", 100.0 * abandoned / reachedCheckout)
                    .field("avg_pages", (double) pages / sessions);
        }
    }

    public static class FunnelAggregate implements AggregateFunction<SessionSummary, FunnelAcc, FunnelAcc> {
        @Override
        public FunnelAcc createAccumulator() {
            return new FunnelAcc();
        }

        @Override
        public FunnelAcc add(SessionSummary s, FunnelAcc acc) {
            acc.sessions++;
            acc.pages += s.pages;
            if (s.reachedCheckout) {
                acc.reachedCheckout++;
                if (!s.converted) {
                    acc.abandoned++;
                }
            }
            if (s.converted) {
                acc.converted++;
            }
            return acc;
        }

        @Override
        public FunnelAcc getResult(FunnelAcc acc) {
            return acc;
        }

        @Override
        public FunnelAcc merge(FunnelAcc a, FunnelAcc b) {
            a.sessions += b.sessions;
            a.reachedCheckout += b.reachedCheckout;
            a.converted += b.converted;
            a.abandoned += b.abandoned;
            a.pages += b.pages;
            return a;
        }
    }

    // ───────────────────────────── alerts ─────────────────────────────

    public static class BounceFunction extends ProcessWindowFunction<AnalyticsEvent, CEAlert, String, TimeWindow> {
        @Override
        public void process(String userId, Context ctx, Iterable<AnalyticsEvent> views, Collector<CEAlert> out) {
            int count = 0;
            for (AnalyticsEvent ignored : views) {
                count++;
            }
            if (count == 1) {
                out.collect(CEAlert.of("HIGH_BOUNCE_RATE", "MEDIUM", "High Bounce Rate Detected",
                        "User " + userId + " viewed only one page", userId, ctx.window().getEnd()));
            }
        }
    }

    public static class AbandonmentFunction extends PatternProcessFunction<AnalyticsEvent, CEAlert> {
        @Override
        public void processMatch(Map<String, List<AnalyticsEvent>> match, Context ctx, Collector<CEAlert> out) {
            AnalyticsEvent checkout = match.get("checkout").get(0);
            out.collect(CEAlert.of("CHECKOUT_ABANDONED", "HIGH", "CHECKOUT_ABANDONED",
                    "Session " + checkout.sessionId + " of user " + checkout.userId + " reached "
                            + checkout.pageViewData.url + " and did not convert within 30 minutes",
                    checkout.sessionId, ctx.timestamp()));
        }
    }

    // ───────────────────────────── sinks ─────────────────────────────

    static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static KafkaSink<String> kafkaSink(String topic) {
        return KafkaSink.<String>builder()
                .setBootstrapServers(BROKERS)
                .setRecordSerializer(KafkaRecordSerializationSchema.builder()
                        .setTopic(topic)
                        .setValueSerializationSchema(new SimpleStringSchema())
                        .build())
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
    }

    /** Batches points and writes them with the InfluxDB 2 client; flushed on every checkpoint. */
    public static class InfluxSink implements Sink<Metric> {
        private final String measurement;

        InfluxSink(String measurement) {
            this.measurement = measurement;
        }

        @Override
        public SinkWriter<Metric> createWriter(WriterInitContext context) {
            return new InfluxWriter(measurement);
        }
    }

    public static class InfluxWriter implements SinkWriter<Metric> {
        private static final int BATCH_SIZE = 1000;
        private final String measurement;
        private final InfluxDBClient client;
        private final WriteApiBlocking writeApi;
        private final List<Point> batch = new ArrayList<>();

        InfluxWriter(String measurement) {
            this.measurement = measurement;
            this.client = InfluxDBClientFactory.create(
                    System.getenv().getOrDefault("INFLUX_URL", "http://influxdb:8086"),
                    System.getenv().getOrDefault("INFLUX_TOKEN", "").toCharArray(),
                    "analytics", "metrics");
            this.writeApi = client.getWriteApiBlocking();
        }

        @Override
        public void write(Metric metric, Context context) {
            Point point = Point.measurement(measurement)
                    .addTags(metric.tags)
                    .addFields(metric.fields)
                    .time(metric.timestamp, WritePrecision.MS);
            batch.add(point);
            if (batch.size() >= BATCH_SIZE) {
                flush(false);
            }
        }

        @Override
        public void flush(boolean endOfInput) {
            if (!batch.isEmpty()) {
                writeApi.writePoints(batch);
                batch.clear();
            }
        }

        @Override
        public void close() {
            flush(true);
            client.close();
        }
    }
}
