package io.gatehouse.benchmarks.jmh;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.api.deployment.InvalidConfigurationException;
import io.gatehouse.api.message.Message;
import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.router.internal.EdgeHubConfigParser;
import io.gatehouse.router.internal.RouteCompiler;
import io.gatehouse.router.internal.RouteTable;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The router's whole per-message path, {@code RouteTable.route(message)}, with five routes of a
 * realistic {@code $edgeHub} configuration (three query the body, one has another source), on a
 * 256-byte JSON message: messages routed per second on one thread. The table is built the way the
 * router builds it: the desired properties parsed, every route compiled.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
@Threads(1)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RouteBenchmark {
    static final String DESIRED = """
            {"schemaVersion":"1.1","routes":{
              "hot":{"route":"FROM /messages/* WHERE $body.temperature > 30 AND is_defined(line) INTO BrokeredEndpoint(\\"/modules/alerts/inputs/hot\\")","priority":0},
              "leafUpstream":{"route":"FROM /messages/* WHERE NOT is_defined($connectionModuleId) INTO $upstream","priority":1,"timeToLiveSecs":86400},
              "lineA7":"FROM /messages/* WHERE line = 'A7' AND $body.status = 'running' INTO BrokeredEndpoint(\\"/modules/analytics/inputs/lineA7\\")",
              "filterOut":"FROM /messages/modules/filter/outputs/out INTO BrokeredEndpoint(\\"/modules/archive/inputs/all\\")",
              "veryHot":{"route":"FROM /messages/* WHERE $body.temperature > 50 INTO $upstream","priority":5}},
             "storeAndForwardConfiguration":{"timeToLiveSecs":7200}}
            """;

    private RouteTable table;
    private Message message;

    /** Counts body parses, to check the table parses a body once per message however many routes query it. */
    static final class CountingMapper extends ObjectMapper {
        final AtomicLong parses = new AtomicLong();

        /** The router reads a body with one streaming parser per message. */
        @Override
        public com.fasterxml.jackson.core.JsonParser createParser(byte[] content) throws IOException {
            parses.incrementAndGet();
            return super.createParser(content);
        }
    }

    @Setup
    public void setup() throws InvalidConfigurationException {
        EdgeHubConfigParser parser = new EdgeHubConfigParser();
        RouteCompiler compiler = new RouteCompiler();
        message = SampleMessages.telemetry();
        var config = parser.parse(DESIRED);

        CountingMapper counting = new CountingMapper();
        List<RouteTarget> targets = new RouteTable(compiler.compileAll(config, "edge1"), counting).route(message);
        if (counting.parses.get() != 1) {
            throw new IllegalStateException("body parsed " + counting.parses.get() + " times for one message");
        }
        List<String> endpoints = targets.stream().map(RouteTarget::endpointId).toList();
        if (!endpoints.equals(List.of("edge1/alerts/hot", "$upstream", "edge1/analytics/lineA7"))) {
            throw new IllegalStateException("unexpected targets " + targets);
        }
        table = new RouteTable(compiler.compileAll(config, "edge1"), new ObjectMapper());
    }

    @Benchmark
    public List<RouteTarget> route() {
        return table.route(message);
    }
}
