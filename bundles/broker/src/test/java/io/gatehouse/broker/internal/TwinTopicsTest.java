package io.gatehouse.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.api.twin.Twin;
import org.junit.jupiter.api.Test;

class TwinTopicsTest {

    @Test
    void parsesBothRequestsWithOrWithoutSlashAndOtherParameters() {
        assertThat(TwinTopics.parse("$iothub/twin/GET/?$rid=1"))
                .isEqualTo(new TwinTopics.Request(TwinTopics.Kind.GET, "1"));
        assertThat(TwinTopics.parse("$iothub/twin/GET?x=y&$rid=a%2Fb"))
                .isEqualTo(new TwinTopics.Request(TwinTopics.Kind.GET, "a%2Fb"));
        assertThat(TwinTopics.parse("$iothub/twin/PATCH/properties/reported/?$rid=7&$version=3"))
                .isEqualTo(new TwinTopics.Request(TwinTopics.Kind.PATCH_REPORTED, "7"));
        assertThat(TwinTopics.parse("$iothub/twin/GET/")).isEqualTo(new TwinTopics.Request(TwinTopics.Kind.GET, ""));
    }

    @Test
    void otherTwinTopicsAreNoRequest() {
        assertThat(TwinTopics.parse("$iothub/twin/PATCH/properties/desired/?$rid=1")).isNull();
        assertThat(TwinTopics.parse("$iothub/twin/GET/dev2/?$rid=1")).isNull();
        assertThat(TwinTopics.parse("$iothub/twin/res/200/?$rid=1")).isNull();
    }

    @Test
    void answerTopicsCarryTheRidAndTheVersionWhenThereIsOne() {
        assertThat(TwinTopics.response(200, "4", -1)).isEqualTo("$iothub/twin/res/200/?$rid=4");
        assertThat(TwinTopics.response(204, "4", 9)).isEqualTo("$iothub/twin/res/204/?$rid=4&$version=9");
        assertThat(TwinTopics.desiredPatch(3)).isEqualTo("$iothub/twin/PATCH/properties/desired/?$version=3");
    }

    @Test
    void twinBodyPutsTheVersionsIntoBothSides() {
        assertThat(TwinRequests.twinJson(new Twin("{\"a\":1}", 2, " { } ", 1)))
                .isEqualTo("{\"desired\":{\"a\":1,\"$version\":2},\"reported\":{\"$version\":1}}");
        assertThatThrownBy(() -> TwinRequests.twinJson(new Twin("[]", 1, "{}", 1)))
                .isInstanceOf(IllegalStateException.class);
        assertThat(TwinRequests.jsonString("say \"no\"\n\u0001")).isEqualTo("\"say \\\"no\\\"\\n\\u0001\"");
    }
}
