package io.gatehouse.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.api.identity.IdentityId;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class UsernameAndTopicsTest {
    private static final IdentityId DEV = IdentityId.device("dev1");
    private static final IdentityId MOD = IdentityId.module("edge1", "filter");

    @ParameterizedTest
    @CsvSource({
        "hub.example.net/dev1/?api-version=2021-04-12, dev1",
        "hub.example.net/dev1/?api-version=2021-04-12&DeviceClientType=x, dev1",
        "hub.example.net/dev1/?DeviceClientType=x&api-version=1, dev1",
        "hub.example.net/edge1/filter/?api-version=2021-04-12, edge1/filter",
        "hub.example.net/dev1/api-version=2018-06-30, dev1",
    })
    void usernamesNameTheirIdentity(String username, String identity) {
        assertThat(UsernameParser.identityOf(username)).hasToString(identity);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev1", "hub/dev1/", "hub/dev1/?DeviceClientType=x", "hub//?api-version=1",
        "hub/a/b/c/?api-version=1", "/?api-version=1"})
    void malformedUsernamesAreRefusedWithAReason(String username) {
        assertThatThrownBy(() -> UsernameParser.identityOf(username))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("username");
    }

    @Test
    void telemetryTopicsAreOnlyTheIdentitysOwn() {
        String dev = IotHubTopics.telemetryTopic(DEV);
        String mod = IotHubTopics.telemetryTopic(MOD);
        assertThat(IotHubTopics.telemetryPropertyBag("devices/dev1/messages/events/a=1", dev)).isEqualTo("a=1");
        assertThat(IotHubTopics.telemetryPropertyBag("devices/dev1/messages/events/", dev)).isEmpty();
        assertThat(IotHubTopics.telemetryPropertyBag("devices/dev1/messages/events", dev)).isEmpty();
        assertThat(IotHubTopics.telemetryPropertyBag("devices/dev2/messages/events/", dev)).isNull();
        assertThat(IotHubTopics.telemetryPropertyBag("devices/dev1/messages/eventsX", dev)).isNull();
        assertThat(IotHubTopics.telemetryPropertyBag("devices/edge1/modules/filter/messages/events/$.on=o", mod))
                .isEqualTo("$.on=o");
        assertThat(IotHubTopics.telemetryPropertyBag("devices/edge1/messages/events/", mod)).isNull();
        assertThat(IotHubTopics.telemetryPropertyBag("devices/edge1/modules/other/messages/events/", mod)).isNull();
    }

    @Test
    void slashAfterThePropertyBagIsNotPartOfIt() {
        // the Azure IoT Java SDK's ModuleClient (2.5.0) publishes module telemetry this way
        String mod = IotHubTopics.telemetryTopic(MOD);
        assertThat(IotHubTopics.telemetryPropertyBag(
                "devices/edge1/modules/filter/messages/events/$.on=out&$.ce=utf-8&$.ct=application%2Fjson/", mod))
                .isEqualTo("$.on=out&$.ce=utf-8&$.ct=application%2Fjson");
        assertThat(IotHubTopics.telemetryPropertyBag("devices/edge1/modules/filter/messages/events//", mod)).isEmpty();
        assertThat(IotHubTopics.telemetryPropertyBag("devices/dev1/messages/events/a=1/", IotHubTopics.telemetryTopic(DEV)))
                .isEqualTo("a=1");
    }

    @Test
    void moduleInputFiltersAreOnlyTheModulesOwn() {
        assertThat(IotHubTopics.isModuleInputFilter("devices/edge1/modules/filter/inputs/#", MOD)).isTrue();
        assertThat(IotHubTopics.isModuleInputFilter("devices/edge1/modules/filter/#", MOD)).isTrue();
        assertThat(IotHubTopics.isModuleInputFilter("devices/edge1/modules/other/inputs/#", MOD)).isFalse();
        assertThat(IotHubTopics.isModuleInputFilter("devices/dev1/modules/filter/inputs/#", DEV)).isFalse();
        assertThat(IotHubTopics.isModuleInputFilter("devices/+/modules/filter/inputs/#", MOD)).isFalse();
    }

    @Test
    void hubNamespaceIsTellFromUserTopics() {
        assertThat(IotHubTopics.isHubTopic("devices/x")).isTrue();
        assertThat(IotHubTopics.isHubTopic("$iothub/twin/res/#")).isTrue();
        assertThat(IotHubTopics.isHubTopic("plant/line1")).isFalse();
        assertThat(IotHubTopics.isHubTopic("#")).isFalse();
        assertThat(IotHubTopics.moduleInputTopic(MOD, "in1", "a=1")).isEqualTo("devices/edge1/modules/filter/inputs/in1/a=1");
    }
}
