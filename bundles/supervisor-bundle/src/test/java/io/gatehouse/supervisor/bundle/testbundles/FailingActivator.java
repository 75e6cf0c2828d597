package io.gatehouse.supervisor.bundle.testbundles;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/** Packed into a test bundle whose start must fail with a reason the operator can read. */
public class FailingActivator implements BundleActivator {

    public static final String REASON = "serial port /dev/ttyS9 not found";

    @Override
    public void start(BundleContext context) {
        throw new IllegalStateException(REASON);
    }

    @Override
    public void stop(BundleContext context) {
    }
}
