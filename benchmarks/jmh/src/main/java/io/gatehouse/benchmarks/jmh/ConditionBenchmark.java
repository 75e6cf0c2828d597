package io.gatehouse.benchmarks.jmh;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.api.message.Message;
import io.gatehouse.router.internal.RouteCompiler;
import io.gatehouse.router.internal.condition.EvaluationContext;
import io.gatehouse.router.internal.condition.Expr;
import java.util.concurrent.TimeUnit;
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
 * One compiled route condition over a 256-byte JSON message, on one thread: evaluations per
 * second. The condition comes from the router's own compiler ({@code io.gatehouse.router.internal}
 * is private to the bundle in OSGi, but its classes are public and this module runs on a plain
 * classpath, so no package-private access and no same-package trick is needed).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
@Threads(1)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ConditionBenchmark {
    static final String CONDITION = "$body.temperature > 30 AND is_defined(line)";

    private final ObjectMapper json = new ObjectMapper();
    private Expr condition;
    private Message message;
    private EvaluationContext parsed;

    @Setup
    public void setup() {
        condition = new RouteCompiler().compileCondition(CONDITION);
        message = SampleMessages.telemetry();
        parsed = new EvaluationContext(message, json);
        // measure the whole evaluation: both sides true, nothing short-circuits to false/undefined
        Object result = condition.evaluate(new EvaluationContext(message, json));
        if (result != Boolean.TRUE) throw new IllegalStateException(CONDITION + " gave " + result + ", expected true");
    }

    /** Per message: a fresh context, so the body is parsed (once) as part of every evaluation. */
    @Benchmark
    public Object perMessage() {
        return condition.evaluate(new EvaluationContext(message, json));
    }

    /** The tree walk alone, with the body already parsed: what each further route on the same message costs. */
    @Benchmark
    public Object bodyAlreadyParsed() {
        return condition.evaluate(parsed);
    }
}
