package io.gatehouse.management.internal;

import io.gatehouse.api.route.RoutingStatistics;
import io.gatehouse.api.store.MessageStore;
import io.gatehouse.api.store.QueueStatus;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * {@code GET /metrics}: the store's and the router's figures for a Prometheus scraper (see
 * {@link PrometheusText}). A bundle being updated leaves its families out rather than failing the scrape.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletName("gatehouse-metrics")
@HttpWhiteboardServletPattern("/metrics")
public class MetricsServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    // Package-private so that the tests can put in-test services here.
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile MessageStore store;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile RoutingStatistics statistics;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        MessageStore s = store;
        RoutingStatistics r = statistics;
        List<QueueStatus> queues = s == null ? null : QueuesApi.sorted(s.queues());
        Map<String, Long> dropped = r == null ? null : r.droppedMessages();
        byte[] body = PrometheusText.render(queues, dropped).getBytes(StandardCharsets.UTF_8);
        resp.setStatus(200);
        resp.setContentType(CONTENT_TYPE);
        resp.setHeader("Cache-Control", "no-store");
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }
}
