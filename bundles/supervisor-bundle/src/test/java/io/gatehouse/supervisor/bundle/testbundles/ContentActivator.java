package io.gatehouse.supervisor.bundle.testbundles;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/**
 * Packed into test bundles: publishes the bundle's {@code content.txt} as a system property while
 * it is active, which shows which revision of the bundle's classes and resources runs.
 */
public class ContentActivator implements BundleActivator {

    public static String property(String symbolicName) {
        return "gatehouse.test.content." + symbolicName;
    }

    @Override
    public void start(BundleContext context) throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/content.txt")) {
            String content = in == null ? "(none)" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            System.setProperty(property(context.getBundle().getSymbolicName()), content);
        }
    }

    @Override
    public void stop(BundleContext context) {
        System.clearProperty(property(context.getBundle().getSymbolicName()));
    }
}
