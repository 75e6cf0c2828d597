package io.gatehouse.router.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.api.message.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RouteSourceTest {

    @ParameterizedTest(name = "{0} -> ''{1}''")
    @CsvSource(delimiter = '|', value = {
            "/messages/*                           | /messages",
            "/messages                             | /messages",
            "'  /messages/modules/m/*  '           | /messages/modules/m",
            "/messages/modules/m/                  | /messages/modules/m",
            "/*                                    | ''",
            "/                                     | ''",
            "/messages/modules/*/outputs/o         | /messages/modules/*/outputs/o",
            "/messages/modules/m*                  | /messages/modules/m",
    })
    void normalisesLikeIotEdge(String text, String prefix) {
        assertThat(RouteSource.of(text).prefix()).isEqualTo(prefix);
    }

    @ParameterizedTest(name = "FROM {0} on {1}: {2}")
    @CsvSource(delimiter = '|', value = {
            "/messages/*                   | /messages                                | true",
            "/messages/*                   | /messages/modules/m/outputs/o            | true",
            "/messages/*                   | /twinChangeNotifications                 | false",
            "/messages                     | /messages/modules/m                      | true",
            "/messages/modules/m/*         | /messages/modules/m/outputs/o            | true",
            "/messages/modules/m/*         | /messages/modules/m                      | true",
            "/messages/modules/m/*         | /messages/modules/m2/outputs/o           | false",
            "/messages/modules/m/*         | /messages/modules/mm                     | false",
            "/messages/modules/m*          | /messages/modules/m2                     | false",
            "/messages/modules/M/outputs/O | /messages/modules/m/outputs/o            | true",
            "/MESSAGES/*                   | /messages                                | true",
            "/messages/modules/m/outputs/o | /messages/modules/m/outputs/o2           | false",
            "/messages/modules/m/outputs/o | /messages/modules/m                      | false",
            "/messages/modules/*/outputs/o | /messages/modules/m/outputs/o            | false",
            "/messages/modules/*/outputs/o | /messages/modules/*/outputs/o            | true",
            "/*                            | /twinChangeNotifications                 | true",
            "/*                            | /messages                                | true",
            "/twinChangeNotifications      | /twinChangeNotifications                 | true",
            "/twinChangeNotifications      | /messages                                | false",
            "/messages/modules             | /messages                                | false",
    })
    void matchesCaseInsensitivePrefixOnSegmentBoundaries(String route, String messageSource, boolean matches) {
        assertThat(RouteSource.of(route).matches(messageSource)).isEqualTo(matches);
    }

    @Test
    void messageSourceComesFromSystemProperties() {
        assertThat(MessageSources.of(Messages.fromDevice("d1").build())).isEqualTo("/messages");
        assertThat(MessageSources.of(Messages.fromModule("filter", "alerts").build()))
                .isEqualTo("/messages/modules/filter/outputs/alerts");
        assertThat(MessageSources.of(Messages.fromModule("filter", null).build())).isEqualTo("/messages/modules/filter");
        assertThat(MessageSources.of(Messages.twinChange().build())).isEqualTo("/twinChangeNotifications");
        // an output name without a module is a leaf device's telemetry
        assertThat(MessageSources.of(Message.builder().systemProperty("outputName", "x").build())).isEqualTo("/messages");
    }
}
