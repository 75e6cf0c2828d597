package io.gatehouse.management.internal;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/** {@code GET /health}: see {@link HealthCheck}. */
@Component(service = Servlet.class)
@HttpWhiteboardServletName("gatehouse-health")
@HttpWhiteboardServletPattern("/health")
public class HealthServlet extends JsonServlet {
    private static final long serialVersionUID = 1L;

    private final transient BundleContext context;
    private final transient ServiceComponentRuntime scr;

    @Activate
    public HealthServlet(BundleContext context, @Reference ServiceComponentRuntime scr) {
        this.context = context;
        this.scr = scr;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        respond(req, resp, () -> HealthCheck.evaluate(bundles(), components()));
    }

    private List<HealthCheck.BundleView> bundles() {
        List<HealthCheck.BundleView> views = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            boolean fragment = b.getHeaders("").get(Constants.FRAGMENT_HOST) != null;
            views.add(new HealthCheck.BundleView(b.getBundleId(), b.getSymbolicName(), b.getState(), fragment));
        }
        return views;
    }

    private List<HealthCheck.ComponentView> components() {
        List<HealthCheck.ComponentView> views = new ArrayList<>();
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
            views.add(new HealthCheck.ComponentView(d, scr.isComponentEnabled(d), scr.getComponentConfigurationDTOs(d)));
        }
        return views;
    }
}
