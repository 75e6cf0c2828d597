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

    @Test
    void theAuthChainIsReadDecodedAndSplitInOrder() {
        UsernameParser.Username plain = UsernameParser.parse("hub/leaf1/?api-version=1&auth-chain=leaf1;child1;parent");
        assertThat(plain.identity()).isEqualTo(IdentityId.device("leaf1"));
        assertThat(plain.authChain()).containsExactly("leaf1", "child1", "parent");
        assertThat(plain.actor()).isEqualTo("parent");
        UsernameParser.Username encoded = UsernameParser.parse(
                "hub/child1/%24edgeHub/?auth-chain=child1%2F%24edgeHub%3Bchild1&api-version=1&DeviceClientType=x");
        assertThat(encoded.authChain()).containsExactly("child1/$edgeHub", "child1");
        assertThat(UsernameParser.parse("hub/a+b/?api-version=1&auth-chain=a+b;c").authChain()).containsExactly("a+b", "c");
        UsernameParser.Username direct = UsernameParser.parse("hub/dev1/?api-version=1");
        assertThat(direct.onBehalfOf()).isFalse();
        assertThat(direct.authChain()).isEmpty();
        assertThat(direct.actor()).isEqualTo("dev1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"hub/leaf1/?api-version=1&auth-chain=", "hub/leaf1/?api-version=1&auth-chain=leaf1;;child1",
        "hub/leaf1/?api-version=1&auth-chain=;child1", "hub/leaf1/?api-version=1&auth-chain=leaf1;child1;",
        "hub/leaf1/?api-version=1&auth-chain=leaf1%3", "hub/leaf1/?api-version=1&auth-chain=a;b&auth-chain=a;b",
        "hub/leaf1/?auth-chain=leaf1;child1"})
    void malformedAuthChainsAreRefusedWithAReason(String username) {
        assertThatThrownBy(() -> UsernameParser.parse(username))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("username");
    }

    @Test
    void cloudToDeviceSubscriptionsAreADevicesOwn() {
        assertThat(IotHubTopics.isCloudToDeviceFilter("devices/dev1/messages/devicebound/#", DEV)).isTrue();
        assertThat(IotHubTopics.isCloudToDeviceFilter("devices/dev2/messages/devicebound/#", DEV)).isFalse();
        assertThat(IotHubTopics.isCloudToDeviceFilter("devices/+/messages/devicebound/#", DEV)).isFalse();
        assertThat(IotHubTopics.isCloudToDeviceFilter("devices/edge1/messages/devicebound/#", MOD)).isFalse();
        assertThat(IotHubTopics.isCloudToDeviceFilter("devices/edge1/modules/filter/messages/devicebound/#", MOD)).isFalse();
        assertThat(IotHubTopics.isIgnoredModuleDeviceboundFilter("devices/edge1/modules/filter/messages/devicebound/#", MOD))
                .isTrue();
        assertThat(IotHubTopics.isIgnoredModuleDeviceboundFilter("devices/dev1/messages/devicebound/#", DEV)).isFalse();
        assertThat(IotHubTopics.cloudToDeviceTopic("dev1", "a=1")).isEqualTo("devices/dev1/messages/devicebound/a=1");
        assertThat(IotHubTopics.isHubTopic("$gatehouse/scope/GET/?$rid=1")).isTrue();
        assertThat(IotHubTopics.isAcceptedServiceFilter("$gatehouse/scope/res/#")).isTrue();
        assertThat(IotHubTopics.isAcceptedServiceFilter("$gatehouse/#")).isFalse();
    }

    @Test
    void scopeRequestsCarryTheirRid() {
        assertThat(ScopeTopics.requestRid("$gatehouse/scope/GET/?$rid=7")).isEqualTo("7");
        assertThat(ScopeTopics.requestRid("$gatehouse/scope/GET?x=1&$rid=ab")).isEqualTo("ab");
        assertThat(ScopeTopics.requestRid("$gatehouse/scope/GET/")).isEmpty();
        assertThat(ScopeTopics.requestRid("$gatehouse/scope/PUT/?$rid=7")).isNull();
        assertThat(ScopeTopics.requestRid("$gatehouse/scope/GET/more/?$rid=7")).isNull();
        assertThat(ScopeTopics.response(403, "7")).isEqualTo("$gatehouse/scope/res/403/?$rid=7");
    }
}
