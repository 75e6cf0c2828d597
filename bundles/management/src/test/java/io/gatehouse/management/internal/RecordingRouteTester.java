package io.gatehouse.management.internal;

import io.gatehouse.api.deployment.InvalidConfigurationException;
import io.gatehouse.api.message.Message;
import io.gatehouse.api.route.RouteTestResult;
import io.gatehouse.api.route.RouteTester;
import java.util.ArrayList;
import java.util.List;

/**
 * A small in-test tester: the real one (the router's compiler and evaluator) lives in the router
 * bundle, another team's. It records what it was asked and gives the answer the test set; a route
 * without " INTO " does not compile, with a reason shaped like the router's.
 */
final class RecordingRouteTester implements RouteTester {
    record Call(String route, Message message) {
    }

    final List<Call> calls = new ArrayList<>();
    RouteTestResult answer = new RouteTestResult("true", true, "true", "edge1/filter/input1");
    RuntimeException failure;

    @Override
    public RouteTestResult test(String route, Message message) throws InvalidConfigurationException {
        calls.add(new Call(route, message));
        if (failure != null) {
            throw failure;
        }
        if (!route.contains(" INTO ")) {
            throw new InvalidConfigurationException("line 1, column " + (route.length() + 1) + ": expected INTO");
        }
        return answer;
    }
}
