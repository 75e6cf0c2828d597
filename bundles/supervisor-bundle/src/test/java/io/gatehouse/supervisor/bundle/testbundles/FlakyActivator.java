package io.gatehouse.supervisor.bundle.testbundles;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/** Packed into a test bundle that starts until the test sets {@link #failProperty}. */
public class FlakyActivator implements BundleActivator {

    public static final String REASON = "configuration file sensor.cfg is missing";

    public static String failProperty(String symbolicName) {
        return "gatehouse.test.fail." + symbolicName;
    }

    @Override
    public void start(BundleContext context) {
        if (System.getProperty(failProperty(context.getBundle().getSymbolicName())) != null) {
            throw new IllegalStateException(REASON);
        }
    }

    @Override
    public void stop(BundleContext context) {
    }
}
