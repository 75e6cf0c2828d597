package io.gatehouse.management.internal;

import io.gatehouse.api.deployment.EdgeAgentConfigurator;
import io.gatehouse.api.deployment.EdgeHubConfigurator;
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

/** {@code /api/deployment}: see {@link DeploymentApi}. */
@Component(service = Servlet.class)
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

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        respond(req, resp, () -> new DeploymentApi(configurator, agent, mapper).current());
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
        respond(req, resp, () -> new DeploymentApi(configurator, agent, mapper).deploy(body, "POST /api/deployment from "
                + req.getRemoteAddr()));
    }
}
