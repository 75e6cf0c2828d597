package io.gatehouse.management.internal;

import io.gatehouse.api.deployment.EdgeAgentConfigurator;
import io.gatehouse.api.deployment.EdgeHubConfigurator;
import io.gatehouse.api.identity.IdentityRegistry;
import io.gatehouse.api.twin.TwinStore;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * {@code /api/deployment}: this gateway's deployment (see {@link DeploymentApi}), or with
 * {@code ?device={child}} a child gateway's, stored in its twins (see {@link ChildDeployment}).
 */
@Component(service = Servlet.class, configurationPid = {"io.gatehouse.management", "io.gatehouse.hub"})
@HttpWhiteboardServletName("gatehouse-deployment")
@HttpWhiteboardServletPattern("/api/deployment")
public class DeploymentServlet extends JsonServlet {
    private static final long serialVersionUID = 1L;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile EdgeHubConfigurator configurator;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile EdgeAgentConfigurator agent;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile TwinStore twins;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile IdentityRegistry registry;

    private static final String DEVICE = "device";

    volatile String deviceId = "edge1";

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
        String device;
        try {
            device = targetDevice(req);
        } catch (ApiException e) {
            write(resp, DeploymentApi.answer(e.status(), e.reason()));
            return;
        }
        if (device != null) {
            write(resp, DeploymentApi.answer(400, "this endpoint shows this gateway's configuration only; a child's "
                    + "deployment is in its twins: GET /api/twins/" + device + "/modules/$edgeHub and …/$edgeAgent"));
            return;
        }
        respond(req, resp, () -> api().current());
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String device;
        byte[] body;
        try {
            device = targetDevice(req);
            body = body(req);
        } catch (ApiException e) {
            write(resp, DeploymentApi.answer(e.status(), e.reason() + "; nothing was changed"));
            return;
        }
        String source = "POST /api/deployment from " + req.getRemoteAddr();
        if (device == null) {
            respond(req, resp, () -> api().deploy(body, source));
        } else {
            respond(req, resp, () -> new ChildDeployment(registry, configurator, agent, twins, mapper)
                    .deploy(device, body, source));
        }
    }

    /**
     * The child gateway named by {@code ?device=}, or null for this gateway (no parameter, or its own
     * id). Parameters are strict: a misspelt one must not turn a child's deployment into this one's.
     */
    private String targetDevice(HttpServletRequest req) throws ApiException {
        String device = QueryParameters.parse(req.getQueryString(), List.of(DEVICE)).get(DEVICE);
        if (device == null || device.equals(deviceId)) return null;
        if (device.isBlank()) {
            throw new ApiException(400, "the device query parameter is empty; leave it out to deploy to this gateway");
        }
        return device;
    }
}
