package io.gatehouse.management.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.management.internal.HealthCheck.BundleView;
import io.gatehouse.management.internal.HealthCheck.ComponentView;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.dto.BundleDTO;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.ReferenceDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;

/** The DTOs are the real SCR runtime DTOs, filled in as Felix SCR fills them. */
class HealthCheckTest {
    private static final BundleView FRAMEWORK = new BundleView(0, "org.apache.felix.framework", Bundle.ACTIVE, false);
    private static final BundleView STORE = new BundleView(5, "io.gatehouse.store", Bundle.ACTIVE, false);

    @Test
    void upWhenEverythingIsActiveAndFragmentsAreResolved() {
        BundleView fragment = new BundleView(9, "some.fragment", Bundle.RESOLVED, true);
        ApiResponse answer = HealthCheck.evaluate(List.of(FRAMEWORK, STORE, fragment),
                List.of(component("a", "optional", true, config(ComponentConfigurationDTO.ACTIVE)),
                        component("b", "optional", true, config(ComponentConfigurationDTO.SATISFIED))));

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body().get("status").asText()).isEqualTo("UP");
        assertThat(answer.body().at("/bundles/total").asInt()).isEqualTo(3);
        assertThat(answer.body().at("/bundles/notActive")).isEmpty();
        assertThat(answer.body().at("/components/notSatisfied")).isEmpty();
    }

    @Test
    void aBundleThatIsNotActiveMakesItDownAndIsNamed() {
        BundleView resolved = new BundleView(7, "io.gatehouse.router", Bundle.RESOLVED, false);
        BundleView fragmentNotResolved = new BundleView(9, "some.fragment", Bundle.INSTALLED, true);

        ApiResponse answer = HealthCheck.evaluate(List.of(FRAMEWORK, fragmentNotResolved, resolved), List.of());

        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.body().get("status").asText()).isEqualTo("DOWN");
        JsonNode bad = answer.body().at("/bundles/notActive");
        assertThat(bad).hasSize(2);
        assertThat(bad.get(0).get("symbolicName").asText()).isEqualTo("io.gatehouse.router");
        assertThat(bad.get(0).get("state").asText()).isEqualTo("RESOLVED");
        assertThat(bad.get(0).get("expected").asText()).isEqualTo("ACTIVE");
        assertThat(bad.get(1).get("symbolicName").asText()).isEqualTo("some.fragment");
        assertThat(bad.get(1).get("state").asText()).isEqualTo("INSTALLED");
        assertThat(bad.get(1).get("expected").asText()).isEqualTo("RESOLVED");
    }

    @Test
    void anUnsatisfiedComponentMakesItDownAndNamesItsMissingReferences() {
        ComponentConfigurationDTO unsatisfied = config(ComponentConfigurationDTO.UNSATISFIED_REFERENCE);
        UnsatisfiedReferenceDTO missing = new UnsatisfiedReferenceDTO();
        missing.name = "store";
        missing.target = "(type=chronicle)";
        unsatisfied.unsatisfiedReferences = new UnsatisfiedReferenceDTO[] {missing};
        ComponentView dispatcher = component("io.gatehouse.router.Dispatcher", "optional", true, unsatisfied);
        ReferenceDTO storeRef = new ReferenceDTO();
        storeRef.name = "store";
        storeRef.interfaceName = "io.gatehouse.api.store.MessageStore";
        dispatcher.description().references = new ReferenceDTO[] {storeRef};

        ApiResponse answer = HealthCheck.evaluate(List.of(FRAMEWORK), List.of(dispatcher));

        assertThat(answer.status()).isEqualTo(503);
        JsonNode bad = answer.body().at("/components/notSatisfied/0");
        assertThat(bad.get("name").asText()).isEqualTo("io.gatehouse.router.Dispatcher");
        assertThat(bad.get("bundle").asText()).isEqualTo("io.gatehouse.test");
        assertThat(bad.get("state").asText()).isEqualTo("UNSATISFIED_REFERENCE");
        assertThat(bad.at("/unsatisfiedReferences/0/name").asText()).isEqualTo("store");
        assertThat(bad.at("/unsatisfiedReferences/0/interface").asText()).isEqualTo("io.gatehouse.api.store.MessageStore");
        assertThat(bad.at("/unsatisfiedReferences/0/target").asText()).isEqualTo("(type=chronicle)");
    }

    @Test
    void aFailedActivationShowsTheFirstLineOfTheFailureOnly() {
        ComponentConfigurationDTO failed = config(ComponentConfigurationDTO.FAILED_ACTIVATION);
        failed.failure = "java.io.IOException: disk full\n\tat some.Class.method(Class.java:1)";

        ApiResponse answer = HealthCheck.evaluate(List.of(FRAMEWORK), List.of(component("x", "optional", true, failed)));

        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.body().at("/components/notSatisfied/0/state").asText()).isEqualTo("FAILED_ACTIVATION");
        assertThat(answer.body().at("/components/notSatisfied/0/failure").asText()).isEqualTo("java.io.IOException: disk full");
    }

    @Test
    void anEnabledComponentWithoutAnyConfigurationIsDown() {
        ApiResponse answer = HealthCheck.evaluate(List.of(FRAMEWORK), List.of(component("x", "optional", true)));
        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.body().at("/components/notSatisfied/0/state").asText()).isEqualTo("NO_CONFIGURATION");
    }

    @Test
    void componentsIdleByDesignAreListedButDoNotMakeItDown() {
        ApiResponse answer = HealthCheck.evaluate(List.of(FRAMEWORK), List.of(
                component("needsConfigNoDto", "require", true),
                component("needsConfigWithDto", "require", true, config(ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION)),
                component("switchedOff", "optional", false)));

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body().at("/components/waitingForConfiguration").toString())
                .isEqualTo("[\"needsConfigNoDto\",\"needsConfigWithDto\"]");
        assertThat(answer.body().at("/components/disabled").toString()).isEqualTo("[\"switchedOff\"]");
    }

    @Test
    void aRequireComponentThatHasItsConfigurationButIsUnsatisfiedIsDown() {
        ApiResponse answer = HealthCheck.evaluate(List.of(FRAMEWORK), List.of(
                component("configured", "require", true, config(ComponentConfigurationDTO.UNSATISFIED_REFERENCE))));
        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.body().at("/components/waitingForConfiguration")).isEmpty();
    }

    private static ComponentView component(String name, String policy, boolean enabled, ComponentConfigurationDTO... configs) {
        ComponentDescriptionDTO d = new ComponentDescriptionDTO();
        d.name = name;
        d.configurationPolicy = policy;
        d.bundle = new BundleDTO();
        d.bundle.symbolicName = "io.gatehouse.test";
        for (ComponentConfigurationDTO c : configs) {
            c.description = d;
        }
        return new ComponentView(d, enabled, List.of(configs));
    }

    private static ComponentConfigurationDTO config(int state) {
        ComponentConfigurationDTO c = new ComponentConfigurationDTO();
        c.state = state;
        c.unsatisfiedReferences = new UnsatisfiedReferenceDTO[0];
        return c;
    }
}
