package io.gatehouse.management.internal;

import static io.gatehouse.management.internal.Bodies.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The route servlets' own part: reading the body within the limit, failures, headers. */
class RouteServletsTest {
    private static final byte[] REQUEST = json("{'route': 'FROM /messages/* INTO $upstream'}");
    private final RecordingRouteTester tester = new RecordingRouteTester();

    private ServletExchange post(byte[] body, long declaredLength) throws Exception {
        RouteTestServlet servlet = new RouteTestServlet();
        servlet.tester = tester;
        ServletExchange exchange = new ServletExchange("POST", "/api/routes/test", body, declaredLength);
        servlet.doPost(exchange.request, exchange.response);
        return exchange;
    }

    @Test
    void aTestIsAnsweredAsJsonThatNoCacheKeeps() throws Exception {
        ServletExchange exchange = post(REQUEST, REQUEST.length);

        assertThat(exchange.status).isEqualTo(200);
        assertThat(exchange.body()).isEqualTo(
                "{\"result\":\"true\",\"sourceMatches\":true,\"condition\":\"true\",\"sink\":\"edge1/filter/input1\"}");
        assertThat(exchange.headers).containsEntry("Content-Type", "application/json")
                .containsEntry("Cache-Control", "no-store")
                .containsEntry("Content-Length", String.valueOf(exchange.body().length()));
    }

    @Test
    void aBodyDeclaredOverTheLimitIs413WithoutBeingReadAndReachesNoTester() throws Exception {
        ServletExchange exchange = post(new byte[RequestBody.DEFAULT_LIMIT + 1], RequestBody.DEFAULT_LIMIT + 1);

        assertThat(exchange.status).isEqualTo(413);
        assertThat(exchange.body()).contains("\"error\"", "larger than the limit of 1048576 bytes");
        assertThat(exchange.bytesRead).isZero();
        assertThat(tester.calls).isEmpty();
    }

    @Test
    void aChunkedBodyThatGrowsOverTheLimitIs413AndReachesNoTester() throws Exception {
        ServletExchange exchange = post(new byte[RequestBody.DEFAULT_LIMIT + 1], -1);

        assertThat(exchange.status).isEqualTo(413);
        assertThat(tester.calls).isEmpty();
    }

    @Test
    void aTesterThatFailsUnexpectedlyIs500WithItsMessage() throws Exception {
        tester.failure = new IllegalStateException("route table is being replaced");

        ServletExchange exchange = post(REQUEST, REQUEST.length);

        assertThat(exchange.status).isEqualTo(500);
        assertThat(exchange.body()).contains("internal error", "route table is being replaced");
    }

    @Test
    void withoutATesterThePostIs503() throws Exception {
        RouteTestServlet servlet = new RouteTestServlet();
        ServletExchange exchange = new ServletExchange("POST", "/api/routes/test", REQUEST, REQUEST.length);
        servlet.doPost(exchange.request, exchange.response);

        assertThat(exchange.status).isEqualTo(503);
    }

    @Test
    void statisticsAreAnsweredAndAre503WhenTheRouterIsAway() throws Exception {
        RoutingStatisticsServlet servlet = new RoutingStatisticsServlet();
        ServletExchange away = new ServletExchange("GET", "/api/routes/stats", new byte[0], -1);
        servlet.doGet(away.request, away.response);
        assertThat(away.status).isEqualTo(503);

        // In-test statistics: the real counters are the router bundle's, another team's.
        servlet.statistics = () -> Map.of("no_route", 4L);
        ServletExchange present = new ServletExchange("GET", "/api/routes/stats", new byte[0], -1);
        servlet.doGet(present.request, present.response);
        assertThat(present.status).isEqualTo(200);
        assertThat(present.body()).isEqualTo("{\"messagesDropped\":{\"no_route\":4}}");
    }
}
