package io.gatehouse.headsupport.methods;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.method.MethodRequest;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MethodRequestLimitsTest {
    private static final IdentityId TARGET = IdentityId.module("edge1", "sink");

    private static String problem(String name, String payload, Duration response, Duration connect) {
        return MethodRequestLimits.problem(new MethodRequest(TARGET, name, payload, response, connect));
    }

    private static String problem(String name) {
        return problem(name, "{}", Duration.ofSeconds(30), Duration.ZERO);
    }

    @Test
    void namesOfOneToHundredCharactersAreAccepted() {
        assertThat(problem("r")).isNull();
        assertThat(problem("x".repeat(100))).isNull();
        assertThat(problem("réinitialiser-2.0_$x")).isNull();
        assertThat(problem("a/b")).as("no protocol rule here").isNull();
        assertThat(problem("")).isEqualTo("the method name is empty");
        assertThat(problem("x".repeat(101))).isEqualTo("the method name is 101 characters long; at most 100 are allowed");
    }

    @Test
    void aProtocolsNameRuleComesAfterTheLengthAndBeforeEverythingElse() {
        String overLimit = "\"" + "x".repeat(128 * 1024) + "\"";
        MethodRequest request = new MethodRequest(TARGET, "a/b", overLimit, Duration.ofSeconds(1), Duration.ZERO);
        assertThat(MethodRequestLimits.problem(request, n -> n.contains("/") ? "no slash" : null)).isEqualTo("no slash");
        MethodRequest tooLong = new MethodRequest(TARGET, "/".repeat(101), "{}", Duration.ofSeconds(30), Duration.ZERO);
        assertThat(MethodRequestLimits.problem(tooLong, n -> "no slash"))
                .isEqualTo("the method name is 101 characters long; at most 100 are allowed");
        assertThat(MethodRequestLimits.problem(request, n -> null)).startsWith("the payload is ");
    }

    @Test
    void thePayloadIsCountedInUtf8BytesUpTo128KiB() {
        String limit = "\"" + "x".repeat(128 * 1024 - 2) + "\"";
        assertThat(problem("m", limit, Duration.ofSeconds(30), Duration.ZERO)).isNull();
        String overByOneByte = "\"" + "x".repeat(128 * 1024 - 3) + "é\"";
        assertThat(problem("m", overByOneByte, Duration.ofSeconds(30), Duration.ZERO))
                .isEqualTo("the payload is 131073 bytes; at most 131072 are allowed");
    }

    @Test
    void timeoutsAreWithinTheirBoundsInclusive() {
        assertThat(problem("m", "{}", Duration.ofSeconds(5), Duration.ZERO)).isNull();
        assertThat(problem("m", "{}", Duration.ofSeconds(300), Duration.ofSeconds(300))).isNull();
        assertThat(problem("m", "{}", Duration.ofMillis(4999), Duration.ZERO))
                .isEqualTo("the response timeout must be 5–300 s, was 4.999 s");
        assertThat(problem("m", "{}", Duration.ofSeconds(301), Duration.ZERO))
                .isEqualTo("the response timeout must be 5–300 s, was 301.0 s");
        assertThat(problem("m", "{}", Duration.ofSeconds(30), Duration.ofMillis(-1)))
                .isEqualTo("the connect timeout must be 0–300 s, was -0.001 s");
        assertThat(problem("m", "{}", Duration.ofSeconds(30), Duration.ofMillis(300_001)))
                .isEqualTo("the connect timeout must be 0–300 s, was 300.001 s");
    }
}
