package io.gatehouse.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MethodTopicsTest {

    @Test
    void answersCarryAnIntegerStatusAndTheRid() {
        assertThat(MethodTopics.parseResponse("$iothub/methods/res/200/?$rid=1f"))
                .isEqualTo(new MethodTopics.Response(200, "1f"));
        assertThat(MethodTopics.parseResponse("$iothub/methods/res/-3?x=y&$rid=a"))
                .isEqualTo(new MethodTopics.Response(-3, "a"));
        assertThat(MethodTopics.parseResponse("$iothub/methods/res/500/")).isEqualTo(new MethodTopics.Response(500, ""));
    }

    @Test
    void anythingElseUnderMethodsIsNoAnswer() {
        assertThat(MethodTopics.parseResponse("$iothub/methods/POST/reboot/?$rid=1")).isNull();
        assertThat(MethodTopics.parseResponse("$iothub/methods/res/ok/?$rid=1")).isNull();
        assertThat(MethodTopics.parseResponse("$iothub/methods/res/?$rid=1")).isNull();
        assertThat(MethodTopics.parseResponse("$iothub/methods/res/200/extra/?$rid=1")).isNull();
        assertThat(MethodTopics.parseResponse("$iothub/methods/res/99999999999/?$rid=1")).isNull();
        assertThat(MethodTopics.isMethodTopic("$iothub/methods/POST/x")).isTrue();
        assertThat(MethodTopics.isMethodTopic("$iothub/twin/GET/")).isFalse();
    }

    @Test
    void requestsNameTheMethodAndTheRid() {
        assertThat(MethodTopics.request("reboot", "2a")).isEqualTo("$iothub/methods/POST/reboot/?$rid=2a");
    }
}
