package io.gatehouse.itests.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.api.route.EndpointIds;
import io.gatehouse.api.route.RouteTarget;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mixed stream through several conditional routes with priorities and TTLs, end to end: two
 * leaf devices and a module with outputs publish a few hundred messages of deterministic variety;
 * every message must land in exactly the endpoints the rules say, once, at the priority of the
 * best route that chose it, and nowhere else.
 *
 * <p>The expectation comes from the same rules written a second time as Java predicates, from
 * the route language's documented semantics (three-valued logic, properties are strings, body
 * queries need a JSON content type), not from the router's code.
 */
class RoutingSystemTest {
    static final int PER_SENDER = 120;
    static final String EDGE = "edge1";
    static final List<String> SENDERS = List.of("dev1", "dev2", EDGE + "/filter");
    static final List<String> SINK_MODULES = List.of("alerts", "archive", "analytics");
    /** Connects only after its short-lived messages have expired. */
    static final String LATE_MODULE = "late";
    static final int SHORT_TTL_SECS = 1;

    @TempDir
    Path dir;

    /** A message as published, with what a route can see of it. */
    record Sent(String id, String sender, int n, String output, Map<String, String> properties,
                String topic, String body, Double temperature, String status) {

        boolean leaf() {
            return !sender.contains("/");
        }

        String connectionDeviceId() {
            return leaf() ? sender : EDGE;
        }

        String connectionModuleId() {
            return leaf() ? null : sender.substring(sender.indexOf('/') + 1);
        }

        /** Application properties: names compare case-insensitively, values are strings. */
        String prop(String name) {
            for (Map.Entry<String, String> e : properties.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) return e.getValue();
            }
            return null;
        }

        /** {@code as_number(p)}: a plain decimal string, else undefined (null). */
        Double number(String name) {
            String v = prop(name);
            return v != null && v.strip().matches("[+-]?\\d+(\\.\\d+)?") ? Double.valueOf(v.strip()) : null;
        }
    }

    /**
     * A route as deployed, with the same rule as a Java predicate that is true exactly when the
     * route string's condition is True for that message.
     */
    record Rule(String name, String route, Integer priority, long ttl, String endpoint, Predicate<Sent> fires) {
        long effectivePriority() {
            return priority == null ? RouteTarget.DEFAULT_PRIORITY : priority;
        }

        OperatorCli.Route asRoute() {
            return new OperatorCli.Route(name, route, priority, ttl);
        }
    }

    static String input(String module, String input) {
        return EndpointIds.moduleInput(EDGE, module, input);
    }

    static boolean fromFilter(Sent m) {
        return "filter".equals(m.connectionModuleId());
    }

    static final List<Rule> RULES = List.of(
            // alerts/alarms: two overlapping routes; a message firing both enters once, at priority 0
            new Rule("hotLeaf",
                    "FROM /messages/* WHERE NOT is_defined($connectionModuleId) AND $body.temperature > 30 "
                            + "INTO BrokeredEndpoint(\"/modules/alerts/inputs/alarms\")", 0, 600,
                    input("alerts", "alarms"), m -> m.leaf() && m.temperature() != null && m.temperature() > 30),
            new Rule("levelAlarm",
                    "FROM /messages WHERE as_number(level) >= 4 INTO BrokeredEndpoint(\"/modules/alerts/inputs/alarms\")", 1, 0,
                    input("alerts", "alarms"), m -> m.number("level") != null && m.number("level") >= 4),
            // three-valued logic: NOT undefined is undefined, so a missing or non-numeric level never fires
            new Rule("notLow",
                    "FROM /messages/modules/filter WHERE NOT (as_number(level) < 3) INTO BrokeredEndpoint(\"/modules/alerts/inputs/review\")", 6, 0,
                    input("alerts", "review"), m -> fromFilter(m) && m.number("level") != null && !(m.number("level") < 3)),
            // string comparison is case-sensitive, property names are not (KIND=audit counts)
            new Rule("dev2OrAudit",
                    "FROM /messages/* WHERE $connectionDeviceId = 'dev2' OR kind = 'audit' INTO BrokeredEndpoint(\"/modules/archive/inputs/all\")", 5, 3600,
                    input("archive", "all"), m -> m.connectionDeviceId().equals("dev2") || "audit".equals(m.prop("kind"))),
            // analytics/filtered: a route without priority (default) and one with priority 3; AND binds tighter than OR
            new Rule("filterHot",
                    "FROM /messages/modules/filter/outputs/hot INTO BrokeredEndpoint(\"/modules/analytics/inputs/filtered\")", null, 0,
                    input("analytics", "filtered"), m -> fromFilter(m) && "hot".equals(m.output())),
            new Rule("filterOutputs",
                    "FROM /messages/modules/filter/* WHERE $outputName = 'cold' OR $outputName = 'hot' AND is_defined(line) "
                            + "INTO BrokeredEndpoint(\"/modules/analytics/inputs/filtered\")", 3, 0,
                    input("analytics", "filtered"),
                    m -> fromFilter(m) && ("cold".equals(m.output()) || "hot".equals(m.output()) && m.prop("line") != null)),
            // $upstream from three routes at priorities 2, 4 and 9
            new Rule("upLeaf",
                    "FROM /messages/* WHERE NOT is_defined($connectionModuleId) AND (lower(site) = 'north' OR $body.status = 'error') INTO $upstream", 2, 0,
                    EndpointIds.UPSTREAM, m -> m.leaf() && (m.prop("site") != null && m.prop("site").toLowerCase(Locale.ROOT).equals("north")
                            || "error".equals(m.status()))),
            new Rule("upFilterCool",
                    "FROM /messages/modules/filter/outputs/* WHERE $connectionModuleId = 'filter' AND $body.temperature <= 30 INTO $upstream", 4, 0,
                    EndpointIds.UPSTREAM, m -> fromFilter(m) && m.output() != null && m.temperature() != null && m.temperature() <= 30),
            new Rule("upVeryHot",
                    "FROM /messages/* WHERE $body.temperature > 50 INTO $upstream", 9, 0,
                    EndpointIds.UPSTREAM, m -> m.temperature() != null && m.temperature() > 50),
            new Rule("ghost",
                    "FROM /messages/modules/ghost/* INTO BrokeredEndpoint(\"/modules/archive/inputs/ghost\")", null, 0,
                    input("archive", "ghost"), m -> false),
            // late/short: the priority-0 route has a 1 s TTL, the priority-1 one keeps its messages;
            // a message both choose gets the winner's TTL and expires
            new Rule("ephemeral",
                    "FROM /messages/* WHERE starts_with(tag, 'eph') INTO BrokeredEndpoint(\"/modules/late/inputs/short\")", 0, SHORT_TTL_SECS,
                    input(LATE_MODULE, "short"), m -> m.prop("tag") != null && m.prop("tag").startsWith("eph")),
            new Rule("tagged",
                    "FROM /messages/* WHERE is_defined(tag) INTO BrokeredEndpoint(\"/modules/late/inputs/long\")", 7, 3600,
                    input(LATE_MODULE, "long"), m -> m.prop("tag") != null),
            new Rule("keep",
                    "FROM /messages/* WHERE ends_with(tag, 'keep') INTO BrokeredEndpoint(\"/modules/late/inputs/short\")", 1, 3600,
                    input(LATE_MODULE, "short"), m -> m.prop("tag") != null && m.prop("tag").endsWith("keep")));

    /** The stream of one sender: the same every run. */
    static List<Sent> stream(String sender, long seed) {
        Random rnd = new Random(seed);
        List<Sent> out = new ArrayList<>();
        boolean module = sender.contains("/");
        for (int n = 0; n < PER_SENDER; n++) {
            String id = sender.replace('/', '.') + "-" + n;
            Map<String, String> props = new LinkedHashMap<>();
            props.put("msg", id);
            if (rnd.nextInt(10) < 6) props.put("level", pick(rnd, "1", "2", "3", "4", "5", "4.5", " 4 ", "x"));
            if (rnd.nextBoolean()) props.put("site", pick(rnd, "North", "north", "south", "NORTH"));
            if (rnd.nextInt(10) < 3) props.put(pick(rnd, "kind", "KIND"), pick(rnd, "audit", "Audit"));
            if (rnd.nextBoolean()) props.put("line", "L" + rnd.nextInt(3));
            if (rnd.nextInt(10) < 3) props.put("tag", pick(rnd, "eph", "keep", "eph-keep"));
            String output = module ? pick(rnd, "hot", "cold", null) : null;

            double t = rnd.nextInt(60) + (rnd.nextBoolean() ? 0.5 : 0);
            boolean hasTemperature = rnd.nextInt(20) != 0;
            String status = rnd.nextInt(10) == 0 ? null : rnd.nextInt(6) == 0 ? "error" : "ok";
            int shape = rnd.nextInt(10);
            boolean contentTypeJson = shape != 7; // 7: JSON without content type, not queryable
            boolean validJson = shape != 8;       // 8: content type JSON, body not JSON
            boolean temperatureAsString = shape == 9;
            String body;
            if (!validJson) {
                body = "not json " + id;
            } else {
                StringBuilder b = new StringBuilder("{\"id\":\"").append(id).append('"');
                if (hasTemperature) {
                    b.append(",\"temperature\":").append(temperatureAsString ? "\"" + t + "\"" : Double.toString(t));
                }
                if (status != null) b.append(",\"status\":\"").append(status).append('"');
                body = b.append(",\"pad\":\"").append("x".repeat(rnd.nextInt(100))).append("\"}").toString();
            }
            boolean queryable = contentTypeJson && validJson;
            Double temperature = queryable && hasTemperature && !temperatureAsString ? t : null;
            String queryableStatus = queryable ? status : null;

            StringBuilder bag = new StringBuilder();
            props.forEach((k, v) -> bag.append(bag.length() == 0 ? "" : "&").append(encode(k)).append('=').append(encode(v)));
            if (output != null) bag.append("&$.on=").append(output);
            if (contentTypeJson) bag.append("&$.ct=application%2Fjson&$.ce=utf-8");
            String topic = (module ? "devices/" + EDGE + "/modules/" + sender.substring(sender.indexOf('/') + 1) : "devices/" + sender)
                    + "/messages/events/" + bag;
            out.add(new Sent(id, sender, n, output, props, topic, body, temperature, queryableStatus));
        }
        return out;
    }

    @SafeVarargs
    private static <T> T pick(Random rnd, T... choices) {
        return choices[rnd.nextInt(choices.length)];
    }

    /** URL encoding with %20 for spaces: a '+' would be an MQTT wildcard in the topic. */
    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Per endpoint, per message id: the rule that wins (lowest priority number, then the first). */
    static Map<String, Map<String, Rule>> expectedWinners(List<Sent> sent) {
        Map<String, Map<String, Rule>> winners = new TreeMap<>();
        for (Sent m : sent) {
            for (Rule r : RULES) {
                if (!r.fires().test(m)) continue;
                winners.computeIfAbsent(r.endpoint(), e -> new LinkedHashMap<>())
                        .merge(m.id(), r, (old, now) -> now.effectivePriority() < old.effectivePriority() ? now : old);
            }
        }
        return winners;
    }

    @Test
    void everyMessageLandsExactlyWhereTheRulesSay() throws Exception {
        List<Sent> sent = new ArrayList<>();
        for (int s = 0; s < SENDERS.size(); s++) sent.addAll(stream(SENDERS.get(s), 1000L + s));
        Map<String, Sent> byId = sent.stream().collect(Collectors.toMap(Sent::id, m -> m));
        Map<String, Map<String, Rule>> winners = expectedWinners(sent);
        assertVariety(sent, winners);

        try (GatehouseProcess gatehouse = new GatehouseProcess(dir)) {
            long t0 = System.nanoTime();
            gatehouse.start();
            long started = System.nanoTime();
            List<String> identities = new ArrayList<>(SENDERS);
            SINK_MODULES.forEach(m -> identities.add(EDGE + "/" + m));
            identities.add(EDGE + "/" + LATE_MODULE);
            Map<String, String> keys = OperatorCli.addIdentities(gatehouse, identities);
            OperatorCli.deploy(gatehouse, dir, "routes", RULES.stream().map(Rule::asRoute).toList());
            long t1 = System.nanoTime();

            Map<String, HubClient> sinks = new LinkedHashMap<>();
            List<HubClient> publishers = new ArrayList<>();
            Map<String, Map<String, List<InputMessage>>> received = new TreeMap<>(); // endpoint -> id -> deliveries
            try {
                for (String m : SINK_MODULES) {
                    HubClient c = HubClient.connect(gatehouse.mqttPort(), EDGE + "/" + m, keys.get(EDGE + "/" + m));
                    c.mqtt.subscribe("devices/" + EDGE + "/modules/" + m + "/inputs/#", 1);
                    sinks.put(m, c);
                }
                List<Thread> threads = new ArrayList<>();
                List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
                for (String s : SENDERS) {
                    HubClient c = HubClient.connect(gatehouse.mqttPort(), s, keys.get(s));
                    publishers.add(c);
                    List<Sent> mine = sent.stream().filter(m -> m.sender().equals(s)).toList();
                    threads.add(new Thread(() -> publish(c, mine, failures), "publish " + s));
                }
                threads.forEach(Thread::start);
                for (Thread t : threads) t.join(60_000);
                long published = System.nanoTime();
                assertThat(failures).as("publish failures").isEmpty();
                for (HubClient c : publishers) assertThat(c.lost).as("publisher connection").isNull();

                // the queues hold exactly what the rules say: appended before each PUBACK
                Map<String, Long> expectedQueues = new TreeMap<>();
                winners.forEach((endpoint, ids) -> ids.values().forEach(r ->
                        expectedQueues.merge(OperatorCli.key(endpoint, r.effectivePriority()), 1L, Long::sum)));
                Map<String, OperatorCli.Queue> queues = OperatorCli.queues(gatehouse);
                assertThat(appended(queues)).as("messages per (endpoint, priority) queue").isEqualTo(expectedQueues);
                // and what no route took was dropped and counted, as edgehub_messages_dropped_total{reason="no_route"}
                assertThat(OperatorCli.droppedNoRoute(gatehouse)).as("messages dropped, no_route").isEqualTo(unrouted(sent));

                // modules online from the start receive what their endpoints hold
                Map<String, Map<String, Rule>> deliverable = new TreeMap<>(winners);
                deliverable.remove(EndpointIds.UPSTREAM);
                Map<String, Map<String, Rule>> online = new TreeMap<>(deliverable);
                online.keySet().removeIf(e -> e.startsWith(input(LATE_MODULE, "")));
                collect(sinks.values(), received, online, 20);

                // the late module connects once the 1 s TTL has passed for everything it was sent
                long waitMillis = TimeUnit.SECONDS.toMillis(SHORT_TTL_SECS) + 1500
                        - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - published);
                if (waitMillis > 0) Thread.sleep(waitMillis);
                HubClient late = HubClient.connect(gatehouse.mqttPort(), EDGE + "/" + LATE_MODULE, keys.get(EDGE + "/" + LATE_MODULE));
                sinks.put(LATE_MODULE, late);
                late.mqtt.subscribe("devices/" + EDGE + "/modules/" + LATE_MODULE + "/inputs/#", 1);
                Map<String, Map<String, Rule>> kept = new TreeMap<>();
                deliverable.forEach((endpoint, ids) -> {
                    if (!endpoint.startsWith(input(LATE_MODULE, ""))) return;
                    Map<String, Rule> alive = new LinkedHashMap<>(ids);
                    alive.values().removeIf(r -> r.ttl() == SHORT_TTL_SECS);
                    kept.put(endpoint, alive);
                });
                Map<String, Map<String, Rule>> all = new TreeMap<>(online);
                all.putAll(kept);
                collect(sinks.values(), received, all, 20);
                Thread.sleep(500); // anything beyond the expectation would arrive now
                drain(sinks.values(), received);

                // exactly the expected messages, each once, at each module input
                for (String endpoint : deliverable.keySet()) {
                    Map<String, List<InputMessage>> got = received.getOrDefault(endpoint, Map.of());
                    assertThat(got.keySet()).as("messages delivered to " + endpoint)
                            .containsExactlyInAnyOrderElementsOf(all.get(endpoint).keySet());
                    got.forEach((id, deliveries) -> assertThat(deliveries).as(id + " at " + endpoint).hasSize(1));
                }
                assertThat(received.keySet()).as("endpoints that received anything").isSubsetOf(deliverable.keySet());

                // what a module sees: the sender's identity stamped by the hub, its output, properties and body unchanged
                received.forEach((endpoint, ids) -> ids.forEach((id, deliveries) -> {
                    Sent m = byId.get(id);
                    InputMessage in = deliveries.get(0);
                    assertThat(in.body()).isEqualTo(m.body());
                    assertThat(in.property("$.cdid")).isEqualTo(m.connectionDeviceId());
                    assertThat(in.property("$.cmid")).isEqualTo(m.connectionModuleId());
                    assertThat(in.property("$.on")).isEqualTo(m.output());
                    m.properties().forEach((k, v) -> assertThat(in.property(k)).as(k + " of " + id).isEqualTo(v));
                }));

                // FIFO per (endpoint, priority, sender)
                received.forEach((endpoint, ids) -> {
                    Map<String, Integer> last = new HashMap<>();
                    for (String id : arrivalOrder(endpoint)) {
                        Sent m = byId.get(id);
                        String lane = winners.get(endpoint).get(id).effectivePriority() + " " + m.sender();
                        assertThat(m.n()).as("order at %s, lane %s", endpoint, lane).isGreaterThan(last.getOrDefault(lane, -1));
                        last.put(lane, m.n());
                    }
                });

                // queue counters: module queues drained, short-lived messages expired, $upstream (no
                // upstream connection in this topology) holds its messages
                awaitQueues(gatehouse, expectedQueues, winners);
                System.out.printf("routing: %d messages, %d unrouted, %d queues; start %d ms, setup %d ms, test %d ms%n",
                        sent.size(), unrouted(sent),
                        expectedQueues.size(), TimeUnit.NANOSECONDS.toMillis(started - t0), TimeUnit.NANOSECONDS.toMillis(t1 - started),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1));
            } finally {
                sinks.values().forEach(HubClient::close);
                publishers.forEach(HubClient::close);
            }
        }
    }

    /** The mixture must exercise every rule, every overlap and unmatched messages, or the test proves little. */
    private static void assertVariety(List<Sent> sent, Map<String, Map<String, Rule>> winners) {
        for (Rule r : RULES) {
            if (r.name().equals("ghost")) continue;
            assertThat(sent.stream().filter(r.fires()).count()).as("messages firing " + r.name()).isGreaterThan(2);
        }
        for (String[] pair : new String[][] {{"hotLeaf", "levelAlarm"}, {"filterHot", "filterOutputs"},
                {"upLeaf", "upVeryHot"}, {"ephemeral", "keep"}}) {
            Predicate<Sent> a = rule(pair[0]).fires();
            Predicate<Sent> b = rule(pair[1]).fires();
            assertThat(sent.stream().filter(a.and(b)).count()).as("messages firing both " + String.join(" and ", pair)).isGreaterThan(2);
        }
        assertThat(unrouted(sent)).as("messages no route matches").isGreaterThan(10);
        assertThat(winners.get(input(LATE_MODULE, "short")).values()).extracting(Rule::name).contains("ephemeral", "keep");
    }

    private static long unrouted(List<Sent> sent) {
        return sent.stream().filter(m -> RULES.stream().noneMatch(r -> r.fires().test(m))).count();
    }

    private static Rule rule(String name) {
        return RULES.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    /** QoS 1, one after the other: publish() returns once the PUBACK arrived. */
    private static void publish(HubClient client, List<Sent> messages, List<Throwable> failures) {
        try {
            for (Sent m : messages) client.mqtt.publish(m.topic(), m.body().getBytes(StandardCharsets.UTF_8), 1, false);
        } catch (MqttException | RuntimeException e) {
            failures.add(e);
        }
    }

    private static Map<String, Long> appended(Map<String, OperatorCli.Queue> queues) {
        Map<String, Long> out = new TreeMap<>();
        queues.forEach((k, q) -> out.put(k, q.appended()));
        return out;
    }

    /** Receives until every endpoint has every expected id, or the deadline passes. */
    private void collect(Iterable<HubClient> sinks, Map<String, Map<String, List<InputMessage>>> received,
                                Map<String, Map<String, Rule>> expected, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            drain(sinks, received);
            boolean complete = expected.entrySet().stream().allMatch(e ->
                    received.getOrDefault(e.getKey(), Map.of()).keySet().containsAll(e.getValue().keySet()));
            if (complete) return;
            Thread.sleep(50);
        }
    }

    /** (endpoint, message id) in the order the modules received them. */
    private final List<String[]> arrivals = new ArrayList<>();

    private void drain(Iterable<HubClient> sinks, Map<String, Map<String, List<InputMessage>>> received) {
        for (HubClient c : sinks) {
            HubClient.Received r;
            while ((r = c.received.poll()) != null) {
                InputMessage in = InputMessage.of(r);
                String endpoint = input(in.module(), in.input());
                String id = in.property("msg");
                received.computeIfAbsent(endpoint, e -> new TreeMap<>()).computeIfAbsent(id, i -> new ArrayList<>()).add(in);
                arrivals.add(new String[] {endpoint, id});
            }
        }
    }

    private List<String> arrivalOrder(String endpoint) {
        return arrivals.stream().filter(a -> a[0].equals(endpoint)).map(a -> a[1]).toList();
    }

    private static void awaitQueues(GatehouseProcess gatehouse, Map<String, Long> expectedAppended,
                                    Map<String, Map<String, Rule>> winners) throws Exception {
        Map<String, String> expected = new TreeMap<>();
        winners.forEach((endpoint, ids) -> {
            Map<Long, Long> expiring = new HashMap<>();
            ids.values().forEach(r -> {
                if (r.ttl() == SHORT_TTL_SECS) expiring.merge(r.effectivePriority(), 1L, Long::sum);
            });
            for (Rule r : new java.util.LinkedHashSet<>(ids.values())) {
                String key = OperatorCli.key(endpoint, r.effectivePriority());
                long appended = expectedAppended.get(key);
                long expired = expiring.getOrDefault(r.effectivePriority(), 0L);
                boolean upstream = endpoint.equals(EndpointIds.UPSTREAM);
                long pending = upstream ? appended : 0;
                long delivered = upstream ? 0 : appended - expired;
                expected.put(key, "pending=" + pending + " appended=" + appended + " delivered=" + delivered + " expired=" + expired);
            }
        });
        Map<String, String> actual = Map.of();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            actual = new TreeMap<>();
            for (OperatorCli.Queue q : OperatorCli.queues(gatehouse).values()) {
                actual.put(OperatorCli.key(q.endpointId(), q.priority()), "pending=" + q.pending() + " appended="
                        + q.appended() + " delivered=" + q.delivered() + " expired=" + q.expired());
            }
            if (actual.equals(expected)) return;
            Thread.sleep(300);
        }
        assertThat(actual).as("queue counters").isEqualTo(expected);
    }
}
