package org.paxflow.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The Kafka Streams peer of paxflow for the end-to-end benchmark: the same topology and rules.
 *
 * <pre>
 * events.api + events.pnr -> decode (Avro, wire format) + derive traveller key
 *   -> invalid: &lt;prefix&gt;.ks-dlq (original bytes, reason in headers)
 *   -> valid: repartition by traveller key (&lt;prefix&gt;-ks-by-traveller-repartition)
 *   -> decode again, append trip to history (RocksDB KeyValueStore "trips", changelogged),
 *      rules R03 R04 R05 R07 R13, score, band
 *   -> &lt;prefix&gt;.ks-scored (every result), &lt;prefix&gt;.ks-alerts (band >= MEDIUM)
 * </pre>
 *
 * Usage: java -jar streams-peer.jar --bootstrap B --prefix P --secret.file F [--application.id A]
 * [--state.dir D] [--idle.exit.ms 3000] [--threads 2] [--partitions 6] [--commit.interval.ms 100];
 * each also from the environment as PEER_BOOTSTRAP, PEER_PREFIX, PEER_SECRET_FILE,
 * PEER_APPLICATION_ID, PEER_STATE_DIR, PEER_IDLE_EXIT_MS, PEER_THREADS, PEER_PARTITIONS,
 * PEER_COMMIT_INTERVAL_MS.
 */
public final class StreamsPeer {
    static final long HOUR_MS = 3600_000L, DAY_MS = 24 * HOUR_MS;
    static final long RETENTION_MS = 400L * DAY_MS;
    static final Set<String> HIGH_RISK = Set.of("AFG", "IRQ", "SYR", "YEM", "SOM", "LBY", "MLI", "SDN");
    static final String STORE = "trips";

    /* Measurement, the same definition as `paxflow run`: stage-1 input, first to last message. */
    static final LongAdder EVENTS_IN = new LongAdder();
    static final LongAdder RESULTS_OUT = new LongAdder();
    static final LongAdder DEAD_LETTERS = new LongAdder();
    static final AtomicLong FIRST_NS = new AtomicLong();
    static volatile long lastNs;

    static byte[] secret;

    static void touch() {
        long now = System.nanoTime();
        if (FIRST_NS.get() == 0) FIRST_NS.compareAndSet(0, now);
        lastNs = now;
    }

    /** Stage 1's output: the traveller key and the original bytes, or a dead letter. */
    record Keyed(String travellerKey, byte[] value, String error) {}

    /** Stage 1: decode, validate, derive the traveller key. */
    static final class KeyProcessor implements Processor<byte[], byte[], String, Keyed> {
        private ProcessorContext<String, Keyed> ctx;
        private Codec codec;
        private Keys keys;
        private final Codec.Event ev = new Codec.Event();

        @Override
        public void init(ProcessorContext<String, Keyed> context) {
            ctx = context;
            codec = new Codec();
            keys = new Keys(secret);
        }

        @Override
        public void process(Record<byte[], byte[]> r) {
            touch();
            EVENTS_IN.increment();
            String key, error = null;
            try {
                codec.decode(r.value(), ev);
                key = keys.traveller(ev);
            } catch (Codec.DecodeException e) {
                key = null;
                error = e.code + ": " + e.getMessage();
            } catch (Norm.NormException e) {
                key = null;
                error = e.code + ": traveller key (names or date of birth)";
            }
            ctx.forward(r.withKey(key).withValue(new Keyed(key, r.value(), error)));
        }
    }

    /** Stage 2's output: the encoded ScoredResult and its band. */
    record Scored(byte[] bytes, int band) {}

    /** Stage 2: history, rules, score, encode. */
    static final class ScoreProcessor implements Processor<String, byte[], String, Scored> {
        private ProcessorContext<String, Scored> ctx;
        private KeyValueStore<String, byte[]> store;
        private Codec codec;
        private Keys keys;
        private final Codec.Event ev = new Codec.Event();
        private Schema sRes, sFlight, sHit, sHits, sMatches, sSource, sBand;
        private GenericData.EnumSymbol[] bands, sources;

        @Override
        public void init(ProcessorContext<String, Scored> context) {
            ctx = context;
            store = context.getStateStore(STORE);
            codec = new Codec();
            keys = new Keys(secret);
            sRes = codec.resultSchema;
            sFlight = sRes.getField("flight").schema();
            sHits = sRes.getField("hits").schema();
            sHit = sHits.getElementType();
            sMatches = sRes.getField("watchlist_matches").schema();
            sSource = sRes.getField("source").schema();
            sBand = sRes.getField("band").schema();
            String[] bn = {"NONE", "LOW", "MEDIUM", "HIGH", "CRITICAL"};
            bands = new GenericData.EnumSymbol[bn.length];
            for (int i = 0; i < bn.length; i++) bands[i] = Codec.sym(sBand, bn[i]);
            sources = new GenericData.EnumSymbol[] {Codec.sym(sSource, "API"), Codec.sym(sSource, "PNR")};
        }

        private GenericRecord hit(String id, String category, int weight, String reason) {
            GenericRecord h = new GenericData.Record(sHit);
            h.put("rule_id", id);
            h.put("rule_version", 1);
            h.put("category", category);
            h.put("weight", weight);
            h.put("reason", reason);
            return h;
        }

        private static String foreign(Hist.Trip t) {
            return t.outbound ? t.destinationCountry : t.originCountry;
        }

        private static boolean risky(String c) {
            return !c.isEmpty() && HIGH_RISK.contains(c);
        }

        @Override
        public void process(Record<String, byte[]> r) {
            try {
                codec.decode(r.value(), ev);
            } catch (Codec.DecodeException e) {
                touch();
                DEAD_LETTERS.increment(); /* cannot happen: stage 1 validated it */
                return;
            }
            Hist hist = Hist.decode(store.get(r.key()));
            Hist.Trip trip = new Hist.Trip();
            trip.departure = ev.departure;
            trip.carrier = ev.carrier;
            trip.flight = ev.flightNumber;
            trip.originAirport = ev.originAirport;
            trip.originCountry = ev.originCountry;
            trip.destinationAirport = ev.destinationAirport;
            trip.destinationCountry = ev.destinationCountry;
            trip.outbound = ev.outbound;
            trip.flags = ev.pnr ? 1 : 2;
            hist.addTrip(trip, RETENTION_MS);
            if (ev.hasDocument) {
                try {
                    hist.addDoc(keys.docDigest(Norm.docnum(ev.docNumber), ev.docCountry));
                } catch (Norm.NormException ignored) {
                    /* paxflow skips the digest too */
                }
            }
            store.put(r.key(), hist.encode());

            List<GenericRecord> hits = new ArrayList<>(4);
            if (ev.hasBooking) {
                long lead = ev.departure - ev.bookedAt;
                if (lead >= 0 && lead < 48 * HOUR_MS)
                    hits.add(hit("R03", "BOOKING", 25, "booked " + (lead / HOUR_MS) + " h before departure"));
                if (ev.cash && lead >= 0 && lead < 7 * DAY_MS)
                    hits.add(hit("R04", "BOOKING", 35,
                            "paid in cash, booked " + (lead / HOUR_MS) + " h before departure"));
                if (ev.oneWay) hits.add(hit("R05", "BOOKING", 10, "one-way ticket"));
            }
            String country = null;
            if (risky(ev.originCountry)) country = ev.originCountry;
            else if (risky(ev.destinationCountry)) country = ev.destinationCountry;
            else if (ev.hasBooking) {
                for (Codec.Leg l : ev.legs) {
                    if (risky(l.originCountry)) {
                        country = l.originCountry;
                        break;
                    }
                    if (risky(l.destinationCountry)) {
                        country = l.destinationCountry;
                        break;
                    }
                }
            }
            if (country != null)
                hits.add(hit("R07", "ROUTE", 40, "itinerary touches " + country + ", in the high-risk group"));
            String far = foreign(trip);
            int n = 0;
            for (int i = 0; i < hist.tripCount; i++) {
                Hist.Trip t = hist.trips[i];
                if (t.outbound != trip.outbound || !foreign(t).equals(far)) continue;
                if (t.departure <= trip.departure && t.departure > trip.departure - 30 * DAY_MS) n++;
            }
            if (n >= 4)
                hits.add(hit("R13", "HISTORY", 45,
                        n + " trips " + (trip.outbound ? "to" : "from") + " " + far + " within 30 days"));

            double keep = 1.0;
            for (GenericRecord h : hits) {
                int w = (Integer) h.get("weight");
                w = Math.max(0, Math.min(100, w));
                keep *= 1.0 - w / 100.0;
            }
            int score = (int) Math.round(100.0 * (1.0 - keep));
            int band = score >= 85 ? 4 : score >= 60 ? 3 : score >= 30 ? 2 : score >= 1 ? 1 : 0;

            GenericRecord flight = new GenericData.Record(sFlight);
            flight.put("carrier", ev.carrier);
            flight.put("number", ev.flightNumber);
            flight.put("origin_airport", ev.originAirport);
            flight.put("destination_airport", ev.destinationAirport);
            flight.put("scheduled_departure", ev.departure);
            GenericRecord res = new GenericData.Record(sRes);
            res.put("event_id", ev.eventId);
            res.put("traveller_ref", r.key());
            res.put("source", sources[ev.pnr ? 1 : 0]);
            res.put("flight", flight);
            res.put("score", score);
            res.put("band", bands[band]);
            res.put("hits", new GenericData.Array<>(sHits, hits));
            res.put("watchlist_matches", new GenericData.Array<GenericRecord>(0, sMatches));
            res.put("ruleset_version", "builtin-1");
            res.put("event_time", ev.sentAt);
            res.put("processing_time", System.currentTimeMillis());
            byte[] bytes = codec.encode(res);
            RESULTS_OUT.increment();
            touch();
            ctx.forward(r.withValue(new Scored(bytes, band)));
        }
    }

    static String opt(Map<String, String> a, String name, String def) {
        String v = a.get(name);
        if (v == null) v = System.getenv("PEER_" + name.toUpperCase().replace('.', '_'));
        if (v == null) v = def;
        if (v == null) throw new IllegalArgumentException("missing --" + name);
        return v;
    }

    static Topology topology(String prefix, int partitions) {
        StreamsBuilder b = new StreamsBuilder();
        b.addStateStore(Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(STORE), Serdes.String(), Serdes.ByteArray())
                .withCachingEnabled());
        KStream<String, Keyed> keyed = b.stream(List.of(prefix + ".events.api", prefix + ".events.pnr"),
                        Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("events"))
                .process(KeyProcessor::new, Named.as("decode-key"));
        Map<String, KStream<String, Keyed>> br = keyed.split(Named.as("stage1-"))
                .branch((k, v) -> v.error() != null, Branched.as("dlq"))
                .defaultBranch(Branched.as("ok"));
        br.get("stage1-dlq")
                .mapValues(v -> v.value(), Named.as("dlq-bytes"))
                .to(prefix + ".ks-dlq", Produced.with(Serdes.String(), Serdes.ByteArray()));
        br.get("stage1-dlq").foreach((k, v) -> DEAD_LETTERS.increment());
        KStream<String, Scored> scored = br.get("stage1-ok")
                .mapValues(v -> v.value(), Named.as("raw"))
                .repartition(Repartitioned.with(Serdes.String(), Serdes.ByteArray())
                        .withName("by-traveller").withNumberOfPartitions(partitions))
                .process(ScoreProcessor::new, Named.as("score"), STORE);
        scored.mapValues(s -> s.bytes(), Named.as("scored-bytes"))
                .to(prefix + ".ks-scored", Produced.with(Serdes.String(), Serdes.ByteArray()));
        scored.filter((k, s) -> s.band() >= 2, Named.as("alert-band"))
                .mapValues(s -> s.bytes(), Named.as("alert-bytes"))
                .to(prefix + ".ks-alerts", Produced.with(Serdes.String(), Serdes.ByteArray()));
        return b.build();
    }

    public static void main(String[] args) throws Exception {
        /* Bound what a hostile length prefix can make Avro allocate (paxflow: 1 MiB messages). */
        System.setProperty("org.apache.avro.limits.string.maxLength", "1048576");
        System.setProperty("org.apache.avro.limits.bytes.maxLength", "1048576");
        System.setProperty("org.apache.avro.limits.collectionItems.maxLength", "65536");
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) throw new IllegalArgumentException("bad option " + args[i]);
            a.put(args[i].substring(2), args[i + 1]);
        }
        String bootstrap = opt(a, "bootstrap", "127.0.0.1:19092");
        String prefix = opt(a, "prefix", null);
        String appId = opt(a, "application.id", prefix + "-ks");
        String stateDir = opt(a, "state.dir", "/tmp/streams-peer-" + prefix);
        long idleMs = Long.parseLong(opt(a, "idle.exit.ms", "3000"));
        int threads = Integer.parseInt(opt(a, "threads", "2"));
        int partitions = Integer.parseInt(opt(a, "partitions", "6"));
        long commitMs = Long.parseLong(opt(a, "commit.interval.ms", "100"));
        byte[] raw = Files.readAllBytes(Path.of(opt(a, "secret.file", null)));
        int len = raw.length;
        if (len > 0 && raw[len - 1] == '\n') {
            len--;
            if (len > 0 && raw[len - 1] == '\r') len--;
        }
        if (len < 16 || len > 64) throw new IllegalArgumentException("secret must be 16-64 bytes");
        secret = java.util.Arrays.copyOf(raw, len);

        Properties ap = new Properties();
        ap.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(ap)) {
            Set<String> have = admin.listTopics().names().get();
            List<NewTopic> want = new ArrayList<>();
            for (String t : List.of(".ks-scored", ".ks-alerts", ".ks-dlq"))
                if (!have.contains(prefix + t)) want.add(new NewTopic(prefix + t, partitions, (short) 1));
            if (!want.isEmpty()) admin.createTopics(want).all().get();
        }

        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitMs);
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 64L << 20);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        p.put(StreamsConfig.TOPOLOGY_OPTIMIZATION_CONFIG, StreamsConfig.OPTIMIZE);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), 2000);
        p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5);
        p.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), 128 * 1024);

        Topology topo = topology(prefix, partitions);
        KafkaStreams streams = new KafkaStreams(topo, p);
        long start = System.nanoTime();
        streams.setUncaughtExceptionHandler(e -> {
            System.err.println("streams-peer: uncaught: " + e);
            return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler
                    .StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.start();
        /* Idle exit: something was processed, and nothing for idle.exit.ms. Kafka Streams has no
         * partition-EOF signal, so this relies on the input being written before the run. */
        while (true) {
            Thread.sleep(100);
            KafkaStreams.State st = streams.state();
            if (st == KafkaStreams.State.ERROR || st == KafkaStreams.State.NOT_RUNNING
                    || st == KafkaStreams.State.PENDING_ERROR) {
                System.err.println("streams-peer: state " + st);
                break;
            }
            if (FIRST_NS.get() != 0 && (System.nanoTime() - lastNs) / 1_000_000 >= idleMs) break;
            if (FIRST_NS.get() == 0 && (System.nanoTime() - start) / 1_000_000_000L > 300) {
                System.err.println("streams-peer: no input within 300 s");
                break;
            }
        }
        streams.close(Duration.ofSeconds(60));
        double secs = (lastNs - FIRST_NS.get()) / 1e9;
        long in = EVENTS_IN.sum();
        System.out.println("streams-peer summary");
        System.out.printf("  events in      %10d%n", in);
        System.out.printf("  results out    %10d%n", RESULTS_OUT.sum());
        System.out.printf("  dead letters   %10d%n", DEAD_LETTERS.sum());
        System.out.printf("  elapsed        %10.1f s%n", secs);
        System.out.printf("  events/s       %10.0f  (stage 1 input, first to last message)%n",
                secs > 0 ? in / secs : 0.0);
        System.out.flush();
        System.exit(0);
    }
}
