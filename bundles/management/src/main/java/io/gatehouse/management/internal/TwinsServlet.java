package io.gatehouse.management.internal;

import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.method.MethodInvoker;
import io.gatehouse.api.twin.TwinStore;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/** {@code /api/twins/…}: twins (see {@link TwinsApi}) and direct methods (see {@link MethodsApi}). */
@Component(service = Servlet.class)
@HttpWhiteboardServletName("gatehouse-twins")
@HttpWhiteboardServletPattern("/api/twins/*")
public class TwinsServlet extends JsonServlet {
    private static final long serialVersionUID = 1L;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile TwinStore store;

    /** In the order bound: the protocol head bound first is the one that waits for a target nobody holds. */
    private final List<MethodInvoker> invokers = new CopyOnWriteArrayList<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addInvoker(MethodInvoker invoker) {
        invokers.add(invoker);
    }

    void removeInvoker(MethodInvoker invoker) {
        invokers.remove(invoker);
    }

    private static final String METHODS = "/methods";

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getPathInfo();
        if (path == null || !path.endsWith(METHODS)) {
            write(resp, ApiResponse.error(404, "POST goes to /api/twins/{deviceId}[/modules/{moduleId}]/methods"));
            return;
        }
        respondWithBody(req, resp, body -> {
            try {
                IdentityId target = TwinsApi.identity(path.substring(0, path.length() - METHODS.length()));
                return new MethodsApi(List.copyOf(invokers), mapper).invoke(target, body);
            } catch (ApiException e) {
                return ApiResponse.error(e.status(), e.reason());
            }
        });
    }

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
