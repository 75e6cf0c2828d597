package io.gatehouse.itests.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an operator does with {@code bin/gatehouse} in the routing system tests: registers
 * identities, deploys routes, reads the store's queue table. Everything goes through the CLI
 * process, so the tests see exactly what an operator sees.
 */
final class OperatorCli {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern KEY = Pattern.compile("SharedAccessKey=([^;\\s]+)");
    static final long DEFAULT_PRIORITY = 2_000_000_000L;

    private OperatorCli() {
    }

    /** {@code identity add <identity>} for "device" or "device/module"; returns the primary key. */
    static String addIdentity(GatehouseProcess gatehouse, String identity) throws Exception {
        String[] ids = identity.split("/", 2);
        GatehouseProcess.CliResult r = ids.length == 1
                ? gatehouse.cli("identity", "add", ids[0])
                : gatehouse.cli("identity", "add", ids[0], "--module", ids[1]);
        assertThat(r.exitCode()).as("identity add %s: %s", identity, r.err()).isZero();
        Matcher key = KEY.matcher(r.out());
        assertThat(key.find()).as("connection string in: " + r.out()).isTrue();
        assertThat(r.out()).contains("HostName=" + GatehouseProcess.IOTHUB);
        return key.group(1);
    }

    /**
     * {@code identity add <deviceId> <flags…>} (e.g. {@code --edge}, {@code --parent line1}); returns
     * the primary key.
     */
    static String addDevice(GatehouseProcess gatehouse, String deviceId, String... flags) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("identity", "add", deviceId));
        args.addAll(List.of(flags));
        GatehouseProcess.CliResult r = gatehouse.cli(args.toArray(String[]::new));
        assertThat(r.exitCode()).as("identity add %s %s: %s", deviceId, args, r.err()).isZero();
        Matcher key = KEY.matcher(r.out());
        assertThat(key.find()).as("connection string in: " + r.out()).isTrue();
        return key.group(1);
    }

    /**
     * {@code identity add} for each identity, three CLI processes at a time (each is a JVM start);
     * returns identity -> primary key.
     */
    static Map<String, String> addIdentities(GatehouseProcess gatehouse, List<String> identities) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            Map<String, Future<String>> futures = new LinkedHashMap<>();
            for (String id : identities) futures.put(id, pool.submit(() -> addIdentity(gatehouse, id)));
            Map<String, String> keys = new LinkedHashMap<>();
            for (Map.Entry<String, Future<String>> f : futures.entrySet()) {
                try {
                    keys.put(f.getKey(), f.getValue().get());
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof Error err) throw err;
                    throw e;
                }
            }
            return keys;
        } finally {
            pool.shutdownNow();
        }
    }

    /** A route of a 1.1 manifest: the route string, its priority (null: none) and TTL (0: the global one). */
    record Route(String name, String route, Integer priority, long timeToLiveSecs) {
        static Route of(String name, String route) {
            return new Route(name, route, null, 0);
        }
    }

    /** A deployment manifest with these routes (schema 1.1) and a store-and-forward TTL of 7200 s. */
    static String manifest(List<Route> routes) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode content = root.putObject("modulesContent");
        ObjectNode agent = content.putObject("$edgeAgent").putObject("properties.desired");
        agent.put("schemaVersion", "1.1");
        agent.putObject("systemModules");
        agent.putObject("modules");
        ObjectNode desired = content.putObject("$edgeHub").putObject("properties.desired");
        desired.put("schemaVersion", "1.1");
        ObjectNode table = desired.putObject("routes");
        for (Route r : routes) {
            ObjectNode route = table.putObject(r.name());
            route.put("route", r.route());
            if (r.priority() != null) route.put("priority", r.priority());
            if (r.timeToLiveSecs() > 0) route.put("timeToLiveSecs", r.timeToLiveSecs());
        }
        desired.putObject("storeAndForwardConfiguration").put("timeToLiveSecs", 7200);
        return root.toPrettyString();
    }

    /** {@code deploy <file>}: the gateway must accept it. */
    static void deploy(GatehouseProcess gatehouse, Path dir, String name, List<Route> routes) throws Exception {
        deploy(gatehouse, dir, name, manifest(routes));
    }

    /** {@code deploy <file>} of a whole manifest text: the gateway must accept it. */
    static void deploy(GatehouseProcess gatehouse, Path dir, String name, String manifest) throws Exception {
        Path file = dir.resolve(name + ".json");
        Files.writeString(file, manifest, StandardCharsets.UTF_8);
        GatehouseProcess.CliResult r = gatehouse.cli("deploy", file.toString());
        assertThat(r.exitCode()).as("deploy %s: %s%s", name, r.out(), r.err()).isZero();
    }

    /** One queue of the store, as the management API reports it. */
    record Queue(String endpointId, long priority, long pending, long appended, long delivered, long expired) {
    }

    /**
     * The store's queues keyed "endpoint@priority", from {@code GET /api/queues} (the CLI's
     * {@code gatehouse queues} table shows lengths and drops, not the appended/delivered counters
     * the tests compare); the table itself must list every queue.
     */
    static Map<String, Queue> queues(GatehouseProcess gatehouse) throws Exception {
        Map<String, Queue> queues = new LinkedHashMap<>();
        for (Map.Entry<String, com.fasterxml.jackson.databind.JsonNode> e : ManagementApi.queues(gatehouse).entrySet()) {
            com.fasterxml.jackson.databind.JsonNode q = e.getValue();
            queues.put(e.getKey(), new Queue(q.get("endpointId").asText(), q.get("priority").asLong(),
                    q.get("pending").asLong(), q.get("appended").asLong(), q.get("delivered").asLong(),
                    q.get("expired").asLong()));
        }
        GatehouseProcess.CliResult r = gatehouse.cli("queues");
        assertThat(r.exitCode()).as("queues: %s", r.err()).isZero();
        for (Queue q : queues.values()) assertThat(r.out()).as("gatehouse queues").contains(q.endpointId());
        return queues;
    }

    /**
     * {@code gatehouse route stats}: telemetry the router dropped since it started because no
     * route matched ({@code edgehub_messages_dropped_total{reason="no_route"}}).
     */
    static long droppedNoRoute(GatehouseProcess gatehouse) throws Exception {
        GatehouseProcess.CliResult r = gatehouse.cli("route", "stats");
        assertThat(r.exitCode()).as("route stats: %s", r.err()).isZero();
        if (r.out().strip().equals("no messages dropped")) return 0;
        Matcher m = Pattern.compile("(?m)^edgehub_messages_dropped_total\\{reason=\"no_route\"} (\\d+)$").matcher(r.out());
        assertThat(m.find()).as("no_route line in: " + r.out()).isTrue();
        return Long.parseLong(m.group(1));
    }

    static String key(String endpointId, long priority) {
        return endpointId + "@" + priority;
    }
}
