package io.gatehouse.management.internal;

import io.gatehouse.api.deployment.EdgeAgentConfigurator;
import io.gatehouse.api.deployment.EdgeHubConfigurator;
import io.gatehouse.api.twin.TwinStore;
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

/** {@code /api/deployment}: see {@link DeploymentApi}. */
@Component(service = Servlet.class, configurationPid = {"io.gatehouse.management", "io.gatehouse.hub"})
@HttpWhiteboardServletName("gatehouse-deployment")
@HttpWhiteboardServletPattern("/api/deployment")
public class DeploymentServlet extends JsonServlet {
    private static final long serialVersionUID = 1L;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile EdgeHubConfigurator configurator;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile EdgeAgentConfigurator agent;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile TwinStore twins;

    private volatile String deviceId = "edge1";

    @Activate
    @Modified
    void configure(HubSettings hub) {
        deviceId = hub.deviceId();
    }

    private DeploymentApi api() {
        TwinStore t = twins;
        return new DeploymentApi(configurator, agent, t == null ? null : new ModuleTwins(t, deviceId), mapper);
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        respond(req, resp, () -> api().current());
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        byte[] body;
        try {
            body = body(req);
        } catch (ApiException e) {
            write(resp, DeploymentApi.answer(e.status(), e.reason() + "; nothing was changed"));
            return;
        }
        respond(req, resp, () -> api().deploy(body, "POST /api/deployment from "
                + req.getRemoteAddr()));
    }
}
