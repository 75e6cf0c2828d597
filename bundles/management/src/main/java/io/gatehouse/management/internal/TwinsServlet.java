package io.gatehouse.management.internal;

import io.gatehouse.api.twin.TwinStore;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletException;
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

/** {@code /api/twins/…}: see {@link TwinsApi}. */
@Component(service = Servlet.class)
@HttpWhiteboardServletName("gatehouse-twins")
@HttpWhiteboardServletPattern("/api/twins/*")
public class TwinsServlet extends JsonServlet {
    private static final long serialVersionUID = 1L;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile TwinStore store;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        respond(req, resp, () -> new TwinsApi(store, mapper).get(req.getPathInfo()));
    }

    /** HttpServlet has no doPatch. */
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
        if ("PATCH".equals(req.getMethod())) {
            respondWithBody(req, resp, body -> new TwinsApi(store, mapper).patch(req.getPathInfo(), body));
        } else {
            super.service(req, resp);
        }
    }
}
