package io.gatehouse.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.method.MethodRequest;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * What MQTT adds to the limits of a method call: the name becomes one topic level. The limits
 * every head applies (payload size, timeouts) are tested with them in head-support's
 * MethodRequestLimitsTest.
 */
class MethodRequestValidatorTest {
    private static final IdentityId TARGET = IdentityId.module("edge1", "sink");

    private static String problem(String name, String payload, Duration response, Duration connect) {
        return MethodRequestValidator.problem(new MethodRequest(TARGET, name, payload, response, connect));
    }

    private static String problem(String name) {
        return problem(name, "{}", Duration.ofSeconds(30), Duration.ZERO);
    }

    @Test
    void namesOfOneToHundredCharactersWithoutTopicSyntaxAreAccepted() {
        assertThat(problem("r")).isNull();
        assertThat(problem("x".repeat(100))).isNull();
        assertThat(problem("réinitialiser-2.0_$x")).isNull();
        assertThat(problem("")).isEqualTo("the method name is empty");
        assertThat(problem("x".repeat(101))).isEqualTo("the method name is 101 characters long; at most 100 are allowed");
        assertThat(problem("a/b")).isEqualTo("the method name may not contain '/'");
        assertThat(problem("a?b")).isEqualTo("the method name may not contain '?'");
        assertThat(problem("a#")).isEqualTo("the method name may not contain '#'");
        assertThat(problem("+")).isEqualTo("the method name may not contain '+'");
        assertThat(problem("a\u0000")).isEqualTo("the method name may not contain '\\u0000'");
    }

    @Test
    void theTopicRuleComesBeforeThePayloadAndTimeoutLimits() {
        String overLimit = "\"" + "x".repeat(128 * 1024) + "\"";
        assertThat(problem("a/b", overLimit, Duration.ofSeconds(1), Duration.ZERO))
                .isEqualTo("the method name may not contain '/'");
        assertThat(problem("ab", overLimit, Duration.ofSeconds(30), Duration.ZERO))
                .isEqualTo("the payload is 131074 bytes; at most 131072 are allowed");
        assertThat(problem("ab", "{}", Duration.ofMillis(4999), Duration.ZERO))
                .isEqualTo("the response timeout must be 5–300 s, was 4.999 s");
    }
}
