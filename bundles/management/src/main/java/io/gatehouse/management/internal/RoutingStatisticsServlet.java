package io.gatehouse.management.internal;

import io.gatehouse.api.route.RoutingStatistics;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/** {@code GET /api/routes/stats}: see {@link RoutingStatisticsApi}. */
@Component(service = Servlet.class)
@HttpWhiteboardServletName("gatehouse-route-stats")
@HttpWhiteboardServletPattern("/api/routes/stats")
public class RoutingStatisticsServlet extends JsonServlet {
    private static final long serialVersionUID = 1L;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    // Package-private so that the servlet tests can put an in-test service here.
    volatile RoutingStatistics statistics;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        respond(req, resp, () -> RoutingStatisticsApi.stats(statistics, mapper));
    }
}
