package io.gatehouse.management.internal;

import io.gatehouse.api.store.MessageStore;
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

/** {@code /api/deadletters[/requeue]?endpoint=<id>}: see {@link DeadLettersApi}. */
@Component(service = Servlet.class)
@HttpWhiteboardServletName("gatehouse-deadletters")
@HttpWhiteboardServletPattern({"/api/deadletters", "/api/deadletters/*"})
public class DeadLettersServlet extends JsonServlet {
    private static final long serialVersionUID = 1L;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    // Package-private so that the servlet tests can put an in-test service here.
    volatile MessageStore store;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        respond(req, resp, () -> api().get(req.getPathInfo(), req.getQueryString()));
    }

    @Override
    protected void doDelete(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        respond(req, resp, () -> api().delete(req.getPathInfo(), req.getQueryString()));
    }

    // The request body, if any, is not read: everything is in the path and the query.
    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        respond(req, resp, () -> api().post(req.getPathInfo(), req.getQueryString()));
    }

    private DeadLettersApi api() {
        return new DeadLettersApi(store, mapper);
    }
}
