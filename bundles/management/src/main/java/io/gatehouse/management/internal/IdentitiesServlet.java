package io.gatehouse.management.internal;

import io.gatehouse.api.identity.IdentityRegistry;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/** {@code /api/identities[/{deviceId}[/{moduleId}]]}: see {@link IdentitiesApi}. */
@Component(service = Servlet.class, configurationPid = {"io.gatehouse.management", "io.gatehouse.hub"})
@HttpWhiteboardServletName("gatehouse-identities")
@HttpWhiteboardServletPattern({"/api/identities", "/api/identities/*"})
public class IdentitiesServlet extends JsonServlet {
    private static final long serialVersionUID = 1L;

    /**
     * Keys of the shared PID io.gatehouse.hub. No MetaType designate here on purpose: bnd would bind
     * it to this component's first PID, io.gatehouse.management, which InitialDeploymentComponent
     * already describes; the hub PID is described once, by whoever owns it.
     */
    public @interface Config {
        /** IoT Hub host name the identities belong to (HostName=). */
        String iotHubHostName() default "gatehouse.local";

        /** Host name devices and modules reach this gateway at (GatewayHostName=). */
        String gatewayHostName() default "localhost";
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile IdentityRegistry registry;

    private volatile transient ConnectionStrings connectionStrings;

    @Activate
    @Modified
    void configure(Config config) {
        connectionStrings = new ConnectionStrings(config.iotHubHostName(), config.gatewayHostName());
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        respond(req, resp, () -> api().get(req.getPathInfo()));
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        respondWithBody(req, resp, body -> api().add(req.getPathInfo(), body));
    }

    @Override
    protected void doDelete(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        respond(req, resp, () -> api().remove(req.getPathInfo()));
    }

    private IdentitiesApi api() {
        return new IdentitiesApi(registry, connectionStrings, mapper);
    }
}
