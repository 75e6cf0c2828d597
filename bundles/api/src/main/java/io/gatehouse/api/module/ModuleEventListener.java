package io.gatehouse.api.module;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Told by every runtime when one of its modules exits, so that the agent reacts at once rather
 * than on its next pass. Registered as a service (whiteboard); called on a runtime's thread, so a
 * listener only records the event or wakes its own thread.
 */
@ConsumerType
public interface ModuleEventListener {

    /** The module exited (on its own, or because it was stopped) with this code. */
    void moduleExited(String type, String name, int exitCode);
}
