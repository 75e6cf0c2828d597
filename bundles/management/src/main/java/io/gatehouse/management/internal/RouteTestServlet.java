package io.gatehouse.management.internal;

import io.gatehouse.api.route.RouteTester;
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

/** {@code POST /api/routes/test}: see {@link RouteTestApi}. */
@Component(service = Servlet.class)
@HttpWhiteboardServletName("gatehouse-route-test")
@HttpWhiteboardServletPattern("/api/routes/test")
public class RouteTestServlet extends JsonServlet {
    private static final long serialVersionUID = 1L;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    // Package-private so that the servlet tests can put an in-test service here.
    volatile RouteTester tester;

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        respondWithBody(req, resp, body -> new RouteTestApi(tester, mapper).test(body));
    }
}
