package io.gatehouse.itests.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.api.route.EndpointIds;
import io.gatehouse.api.route.RouteTarget;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Routes replaced at run time ({@code gatehouse deploy}, i.e. {@code POST /api/deployment}) lose
 * nothing: messages already stored for an endpoint that no route uses any more are still
 * delivered (or expire), live and after a restart, and a stream published while the routes are
 * replaced has every acknowledged message at the old routes' endpoint or the new routes'
 * endpoint, whichever table was in force when the message was ingested.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LiveRouteUpdateSystemTest {
    static final String EDGE = "edge1";

    @TempDir
    static Path dir;
    private GatehouseProcess gatehouse;
    private final Map<String, String> keys = new HashMap<>();

    @BeforeAll
    void start() throws Exception {
        gatehouse = new GatehouseProcess(dir);
        gatehouse.start();
        keys.putAll(OperatorCli.addIdentities(gatehouse, List.of("dev1", "dev2", EDGE + "/drainlive", EDGE + "/drainrestart",
                EDGE + "/expiring", EDGE + "/newsink", EDGE + "/switch")));
    }

    @AfterAll
    void stop() throws Exception {
        if (gatehouse != null) gatehouse.close();
    }

    private HubClient connect(String identity) throws MqttException {
        return HubClient.connect(gatehouse.mqttPort(), identity, keys.get(identity));
    }

    private HubClient module(String module) throws MqttException {
        HubClient c = connect(EDGE + "/" + module);
        c.mqtt.subscribe("devices/" + EDGE + "/modules/" + module + "/inputs/#", 1);
        return c;
    }

    private static String brokered(String module, String input) {
        return "BrokeredEndpoint(\"/modules/" + module + "/inputs/" + input + "\")";
    }

    @Test
    void messagesStoredForAnInputNoRouteUsesAnyMoreAreDeliveredLiveAndAfterARestartOrExpire() throws Exception {
        OperatorCli.deploy(gatehouse, dir, "before", List.of(
                OperatorCli.Route.of("toLive", "FROM /messages/* WHERE NOT is_defined($connectionModuleId) INTO " + brokered("drainlive", "in")),
                new OperatorCli.Route("toRestart", "FROM /messages/* INTO " + brokered("drainrestart", "in"), 3, 0),
                new OperatorCli.Route("toExpiring", "FROM /messages/* INTO " + brokered("expiring", "in"), null, 2)));
        List<String> before = IntStream.range(0, 100).mapToObj(n -> "a-" + n).toList();
        List<String> after = IntStream.range(100, 150).mapToObj(n -> "a-" + n).toList();
        try (HubClient device = connect("dev1")) {
            for (String body : before) device.mqtt.publish("devices/dev1/messages/events/", bytes(body), 1, false);
            long ttlStart = System.nanoTime();
            String live = EndpointIds.moduleInput(EDGE, "drainlive", "in");
            String restart = EndpointIds.moduleInput(EDGE, "drainrestart", "in");
            String expiring = EndpointIds.moduleInput(EDGE, "expiring", "in");
            String newsink = EndpointIds.moduleInput(EDGE, "newsink", "in");
            Map<String, OperatorCli.Queue> q = OperatorCli.queues(gatehouse);
            assertThat(q.get(OperatorCli.key(live, RouteTarget.DEFAULT_PRIORITY)).pending()).isEqualTo(100);
            assertThat(q.get(OperatorCli.key(restart, 3)).pending()).isEqualTo(100);
            assertThat(q.get(OperatorCli.key(expiring, RouteTarget.DEFAULT_PRIORITY)).pending()).isEqualTo(100);

            // no route uses the three inputs any more
            OperatorCli.deploy(gatehouse, dir, "after", List.of(
                    OperatorCli.Route.of("toNew", "FROM /messages/* INTO " + brokered("newsink", "in"))));
            for (String body : after) device.mqtt.publish("devices/dev1/messages/events/", bytes(body), 1, false);
            q = OperatorCli.queues(gatehouse);
            assertThat(q.get(OperatorCli.key(newsink, RouteTarget.DEFAULT_PRIORITY)).appended()).isEqualTo(after.size());
            assertThat(q.get(OperatorCli.key(live, RouteTarget.DEFAULT_PRIORITY)).appended()).as("no new message for an unrouted input").isEqualTo(100);

            // live: the module comes online after the update and drains its queue, in order, nothing more
            try (HubClient module = module("drainlive")) {
                assertThat(receive(module, before.size(), 20)).containsExactlyElementsOf(before);
                assertThat(module.received.poll(500, TimeUnit.MILLISECONDS)).as("nothing beyond the stored messages").isNull();
            }
            assertThat(awaitCounters(Map.of(OperatorCli.key(live, RouteTarget.DEFAULT_PRIORITY), new long[] {0, 100, 100, 0})))
                    .isEmpty();

            // after a restart the router has only the new routes, and the old queues still drain or expire
            gatehouse.stop();
            gatehouse.start();
            long sinceStored = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - ttlStart);
            if (sinceStored < 2500) Thread.sleep(2500 - sinceStored);
            try (HubClient module = module("drainrestart"); HubClient expired = module("expiring")) {
                assertThat(receive(module, before.size(), 20)).containsExactlyElementsOf(before);
                assertThat(module.received.poll(500, TimeUnit.MILLISECONDS)).as("nothing beyond the stored messages").isNull();
                assertThat(expired.received.poll(500, TimeUnit.MILLISECONDS)).as("messages past their 2 s TTL").isNull();
            }
            Map<String, Long> counters = awaitCounters(Map.of(
                    OperatorCli.key(restart, 3), new long[] {0, 100, 100, 0},
                    OperatorCli.key(expiring, RouteTarget.DEFAULT_PRIORITY), new long[] {0, 100, 0, 100}));
            assertThat(counters).isEmpty();
        }
    }

    @Test
    void aStreamPublishedWhileTheRoutesAreReplacedLosesNoAcknowledgedMessage() throws Exception {
        String oldInput = EndpointIds.moduleInput(EDGE, "switch", "old");
        String newInput = EndpointIds.moduleInput(EDGE, "switch", "new");
        OperatorCli.deploy(gatehouse, dir, "old-routes", List.of(
                OperatorCli.Route.of("old", "FROM /messages/* WHERE NOT is_defined($connectionModuleId) INTO " + brokered("switch", "old"))));
        long upstreamBefore = upstreamAppended();

        List<String> devices = List.of("dev1", "dev2");
        Map<String, List<Integer>> acked = new LinkedHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        List<HubClient> clients = new ArrayList<>();
        List<Thread> publishers = new ArrayList<>();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        try (HubClient sink = module("switch")) {
            for (String d : devices) {
                HubClient c = connect(d);
                clients.add(c);
                List<Integer> mine = Collections.synchronizedList(new ArrayList<>());
                acked.put(d, mine);
                publishers.add(new Thread(() -> {
                    try {
                        for (int n = 0; !stop.get(); n++) {
                            c.mqtt.publish("devices/" + d + "/messages/events/seq=" + n, bytes(d + "-" + n), 1, false);
                            mine.add(n); // publish() returned: the PUBACK arrived
                        }
                    } catch (MqttException e) {
                        failures.add(e);
                    }
                }, "publish " + d));
            }
            publishers.forEach(Thread::start);
            awaitEach(acked, 150);
            Map<String, Integer> ackedBeforeDeploy = sizes(acked);
            OperatorCli.deploy(gatehouse, dir, "new-routes", List.of(
                    new OperatorCli.Route("new", "FROM /messages/* WHERE is_defined(seq) INTO " + brokered("switch", "new"), 1, 0),
                    OperatorCli.Route.of("tenth", "FROM /messages/* WHERE as_number(seq) % 10 = 0 INTO $upstream")));
            // a publish in flight when deploy returned may still have met the old routes; the next one cannot
            Map<String, Integer> ackedAfterDeploy = sizes(acked);
            Map<String, Integer> target = new HashMap<>();
            ackedAfterDeploy.forEach((d, n) -> target.put(d, n + 150));
            awaitEach(acked, target);
            stop.set(true);
            for (Thread t : publishers) t.join(30_000);
            assertThat(failures).as("publish failures").isEmpty();

            // every acknowledged message reaches the module: at the old input or the new one
            int total = acked.values().stream().mapToInt(List::size).sum();
            Map<String, List<String>> inputs = new TreeMap<>(); // body -> inputs it arrived at, in order
            Map<String, List<String>> order = new HashMap<>();   // input + device -> bodies in arrival order
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (inputs.size() < total && System.nanoTime() < deadline) {
                HubClient.Received r = sink.received.poll(200, TimeUnit.MILLISECONDS);
                if (r != null) record(r, inputs, order);
            }
            HubClient.Received extra;
            while ((extra = sink.received.poll(500, TimeUnit.MILLISECONDS)) != null) record(extra, inputs, order);

            Map<String, Integer> oldCount = new TreeMap<>();
            Map<String, Integer> newCount = new TreeMap<>();
            for (String d : devices) {
                List<Integer> sent = List.copyOf(acked.get(d));
                int cut = -1; // first n at the new input
                for (int n : sent) {
                    List<String> at = inputs.get(d + "-" + n);
                    assertThat(at).as("%s-%d acknowledged, delivered once at one input", d, n).hasSize(1);
                    if (at.get(0).equals("new") && cut < 0) cut = n;
                    // one switch per sender: everything before the first "new" is old, everything after is new
                    assertThat(at.get(0)).as("%s-%d (first at new: %d)", d, n, cut).isEqualTo(cut < 0 ? "old" : "new");
                }
                assertThat(cut).as("%s: first message at the new input", d)
                        .isGreaterThanOrEqualTo(ackedBeforeDeploy.get(d)).isLessThanOrEqualTo(ackedAfterDeploy.get(d) + 1);
                oldCount.put(d, cut);
                newCount.put(d, sent.size() - cut);
                for (String input : List.of("old", "new")) {
                    List<Integer> seen = order.getOrDefault(input + " " + d, List.of()).stream()
                            .map(b -> Integer.parseInt(b.substring(b.indexOf('-') + 1))).toList();
                    assertThat(seen).as("order of %s at %s", d, input).isSorted();
                }
            }
            assertThat(inputs).as("nothing but the acknowledged messages").hasSize(total);
            System.out.printf("live update: %d acknowledged, old routes %s, new routes %s%n", total, oldCount, newCount);

            // the queues agree: each message entered one input queue once; the old one drained
            // although no route uses it; the new table's second route took every tenth new message
            long tenth = 0;
            for (String d : devices) {
                tenth += acked.get(d).stream().filter(n -> n >= oldCount.get(d) && n % 10 == 0).count();
            }
            int oldTotal = oldCount.values().stream().mapToInt(Integer::intValue).sum();
            int newTotal = newCount.values().stream().mapToInt(Integer::intValue).sum();
            Map<String, Long> mismatches = awaitCounters(Map.of(
                    OperatorCli.key(oldInput, RouteTarget.DEFAULT_PRIORITY), new long[] {0, oldTotal, oldTotal, 0},
                    OperatorCli.key(newInput, 1), new long[] {0, newTotal, newTotal, 0}));
            assertThat(mismatches).isEmpty();
            assertThat(upstreamAppended() - upstreamBefore).as("every tenth message after the switch, upstream").isEqualTo(tenth);
        } finally {
            stop.set(true);
            clients.forEach(HubClient::close);
        }
    }

    private static void record(HubClient.Received r, Map<String, List<String>> inputs, Map<String, List<String>> order) {
        InputMessage in = InputMessage.of(r);
        inputs.computeIfAbsent(in.body(), b -> new ArrayList<>()).add(in.input());
        order.computeIfAbsent(in.input() + " " + in.body().substring(0, in.body().indexOf('-')), k -> new ArrayList<>()).add(in.body());
    }

    private long upstreamAppended() throws Exception {
        return OperatorCli.queues(gatehouse).values().stream()
                .filter(q -> q.endpointId().equals(EndpointIds.UPSTREAM)).mapToLong(OperatorCli.Queue::appended).sum();
    }

    private static Map<String, Integer> sizes(Map<String, List<Integer>> acked) {
        Map<String, Integer> out = new HashMap<>();
        acked.forEach((d, l) -> out.put(d, l.size()));
        return out;
    }

    private static void awaitEach(Map<String, List<Integer>> acked, int atLeast) throws InterruptedException {
        Map<String, Integer> target = new HashMap<>();
        acked.keySet().forEach(d -> target.put(d, atLeast));
        awaitEach(acked, target);
    }

    private static void awaitEach(Map<String, List<Integer>> acked, Map<String, Integer> target) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (acked.entrySet().stream().anyMatch(e -> e.getValue().size() < target.get(e.getKey()))) {
            assertThat(System.nanoTime()).as("acknowledgements within 30 s").isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    private static List<String> receive(HubClient module, int count, int seconds) throws InterruptedException {
        List<String> bodies = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (bodies.size() < count && System.nanoTime() < deadline) {
            HubClient.Received r = module.received.poll(200, TimeUnit.MILLISECONDS);
            if (r != null) bodies.add(r.body());
        }
        return bodies;
    }

    /**
     * Waits until the queues show {pending, appended, delivered, expired} as given; returns what
     * still differs (empty when all match).
     */
    private Map<String, Long> awaitCounters(Map<String, long[]> expected) throws Exception {
        Map<String, Long> differing = new TreeMap<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        do {
            differing.clear();
            Map<String, OperatorCli.Queue> queues = OperatorCli.queues(gatehouse);
            for (Map.Entry<String, long[]> e : expected.entrySet()) {
                OperatorCli.Queue q = queues.get(e.getKey());
                long[] want = e.getValue();
                if (q == null) {
                    differing.put(e.getKey() + " missing", -1L);
                    continue;
                }
                long[] got = {q.pending(), q.appended(), q.delivered(), q.expired()};
                String[] names = {"pending", "appended", "delivered", "expired"};
                for (int i = 0; i < 4; i++) {
                    if (got[i] != want[i]) differing.put(e.getKey() + " " + names[i] + " (want " + want[i] + ")", got[i]);
                }
            }
            if (differing.isEmpty()) return differing;
            Thread.sleep(300);
        } while (System.nanoTime() < deadline);
        return differing;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
