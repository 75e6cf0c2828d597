package io.gatehouse.store.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EndpointSelectorTest {

    @Test
    void anEndpointIdMatchesOnlyItselfAndAPrefixEverythingUnderIt() {
        EndpointSelector exact = EndpointSelector.of("edge1/mod/in1");
        EndpointSelector prefix = EndpointSelector.of("edge1/mod/");

        assertThat(exact.matches("edge1/mod/in1")).isTrue();
        assertThat(exact.matches("edge1/mod/in10")).isFalse();
        assertThat(prefix.matches("edge1/mod/in1")).isTrue();
        assertThat(prefix.matches("edge1/mod2/in1")).isFalse();
        assertThat(prefix.matches("$upstream")).isFalse();
    }

    @Test
    void selectorsOverlapWhenSomeEndpointCouldBeReadByBoth() {
        EndpointSelector mod = EndpointSelector.of("edge1/mod/");
        assertThat(mod.overlaps(EndpointSelector.of("edge1/mod/in1"))).isTrue();
        assertThat(EndpointSelector.of("edge1/mod/in1").overlaps(mod)).isTrue();
        assertThat(mod.overlaps(EndpointSelector.of("edge1/"))).isTrue();
        assertThat(mod.overlaps(EndpointSelector.of("edge1/mod2/"))).isFalse();
        assertThat(mod.overlaps(EndpointSelector.of("$upstream"))).isFalse();
        assertThat(EndpointSelector.of("a").overlaps(EndpointSelector.of("a"))).isTrue();
        assertThat(EndpointSelector.of("a").overlaps(EndpointSelector.of("ab"))).isFalse();
    }

    @Test
    void anEmptySelectorIsRefused() {
        assertThatThrownBy(() -> EndpointSelector.of("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EndpointSelector.of(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
