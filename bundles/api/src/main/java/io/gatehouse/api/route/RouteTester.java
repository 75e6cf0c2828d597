package io.gatehouse.api.route;

import io.gatehouse.api.deployment.InvalidConfigurationException;
import io.gatehouse.api.message.Message;
import org.osgi.annotation.versioning.ProviderType;

/** Evaluates one route against one message exactly as the router does, without routing anything. */
@ProviderType
public interface RouteTester {

    /**
     * @param route a route string, {@code [SELECT *] FROM … [WHERE …] INTO …}
     * @throws InvalidConfigurationException when the route does not compile; the message names
     *     the position and the problem
     */
    RouteTestResult test(String route, Message message) throws InvalidConfigurationException;
}
