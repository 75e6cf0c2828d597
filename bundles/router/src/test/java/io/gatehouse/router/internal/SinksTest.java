package io.gatehouse.router.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.api.route.EndpointIds;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SinksTest {

    @ParameterizedTest
    @ValueSource(strings = {"$upstream", "$UPSTREAM", "$Upstream"})
    void upstreamIsCaseInsensitive(String name) {
        assertThat(Sinks.systemEndpoint(name)).isEqualTo(EndpointIds.UPSTREAM);
    }

    @ParameterizedTest
    @ValueSource(strings = {"$upstreams", "$local", "$edgeHub"})
    void otherSystemEndpointsAreRefused(String name) {
        assertThatThrownBy(() -> Sinks.systemEndpoint(name))
                .hasMessageContaining("system endpoint " + name + " is not supported");
    }

    @ParameterizedTest(name = "{0}(\"{1}\")")
    @CsvSource(delimiter = '|', value = {
            "BrokeredEndpoint | /modules/filter/inputs/in1  | gw/filter/in1",
            "brokeredendpoint | /modules/filter/inputs/in1  | gw/filter/in1",
            "BROKEREDENDPOINT | modules/filter/inputs/in1/  | gw/filter/in1",
            "BrokeredEndpoint | modules/filter/inputs/in1   | gw/filter/in1",
            "BrokeredEndpoint | /modules/my-mod/inputs/$x   | gw/my-mod/$x",
    })
    void brokeredEndpointNamesAModuleInputOfThisDevice(String function, String address, String endpoint) {
        assertThat(Sinks.functionEndpoint(function, address, "gw")).isEqualTo(endpoint);
        assertThat(endpoint).isEqualTo(EndpointIds.moduleInput("gw", endpoint.split("/")[1], endpoint.split("/")[2]));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/modules/m/inputs", "/modules/m/inputs/i/x", "/modules//inputs/i", "/modules/m/outputs/i",
            "/devices/m/inputs/i", "", "//modules/m/inputs/i"})
    void malformedAddressesAreRefused(String address) {
        assertThatThrownBy(() -> Sinks.functionEndpoint("BrokeredEndpoint", address, "gw"))
                .hasMessageContaining("must be /modules/<module>/inputs/<input>");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Endpoint", "EventHub", "BrokeredEndpoints"})
    void otherFunctionsAreRefused(String function) {
        assertThatThrownBy(() -> Sinks.functionEndpoint(function, "/modules/m/inputs/i", "gw"))
                .hasMessageContaining("endpoint function " + function + " is not supported");
    }
}
