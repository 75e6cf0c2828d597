package io.gatehouse.itests.osgi;

import static org.junit.Assert.fail;

import java.util.function.Supplier;
import javax.inject.Inject;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * Base of the Pax Exam tests: one Gatehouse framework built from the distribution (see
 * {@link GatehouseFramework}) and small helpers that run inside it.
 */
public abstract class GatehouseTestSupport {

    /** How long the framework gets to settle (components activating, services coming back). */
    protected static final long SETTLE_MILLIS = 30_000;

    @Inject
    protected BundleContext context;

    @Configuration
    public Option[] configuration() {
        return GatehouseFramework.options(getClass().getSimpleName());
    }

    protected Bundle bundle(String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) return b;
        }
        fail("bundle " + symbolicName + " is not installed");
        return null;
    }

    /** The service, waiting for it to be registered (after a bundle update it comes back a moment later). */
    protected <T> T service(Class<T> type) {
        long deadline = System.currentTimeMillis() + SETTLE_MILLIS;
        while (true) {
            ServiceReference<T> ref = context.getServiceReference(type);
            T service = ref == null ? null : context.getService(ref);
            if (service != null) return service;
            if (System.currentTimeMillis() > deadline) {
                fail("no " + type.getName() + " service registered within " + SETTLE_MILLIS + " ms");
            }
            sleep(50);
        }
    }

    protected int intProperty(String name) {
        String value = context.getProperty(name);
        if (value == null) fail("framework property " + name + " is not set");
        return Integer.parseInt(value);
    }

    /**
     * Polls {@code problems} until it returns null (all is well) or the time is up; then fails with
     * the last problem it described.
     */
    protected static void awaitNoProblem(long millis, Supplier<String> problems) {
        long deadline = System.currentTimeMillis() + millis;
        String last;
        while ((last = problems.get()) != null) {
            if (System.currentTimeMillis() > deadline) {
                fail(last);
            }
            sleep(100);
        }
    }

    protected static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
