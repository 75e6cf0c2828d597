package io.gatehouse.management.internal;

import io.gatehouse.api.identity.IdentityRegistry;
import io.gatehouse.api.store.MessageStore;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/** {@code /api/devices/{deviceId}/messages/devicebound}: see {@link CloudToDeviceApi}. */
@Component(service = Servlet.class)
@HttpWhiteboardServletName("gatehouse-devices")
@HttpWhiteboardServletPattern("/api/devices/*")
public class DeviceMessagesServlet extends JsonServlet {
    private static final long serialVersionUID = 1L;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile IdentityRegistry registry;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile MessageStore store;

    private final transient Object sendLock = new Object();

    private CloudToDeviceApi api() {
        return new CloudToDeviceApi(registry, store, mapper, Clock.systemUTC(), sendLock);
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        respondWithBody(req, resp, body -> api().send(req.getPathInfo(), body));
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        respond(req, resp, () -> api().pending(req.getPathInfo()));
    }
}
