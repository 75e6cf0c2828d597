package io.gatehouse.cli;

import java.net.URI;

/**
 * One parsed command line: what to do, against which gateway, and its arguments (null when not
 * given or not used by that command). {@code ttlSeconds} is the validity of a token to print;
 * {@code route} and {@code messageFile} are what {@code route test} evaluates.
 */
record Command(Action action, URI gateway, String deviceId, String moduleId, String key, String manifest, Long ttlSeconds,
        String route, String messageFile) {

    enum Action {
        HELP, IDENTITY_ADD, IDENTITY_LIST, IDENTITY_SHOW, IDENTITY_REMOVE, IDENTITY_TOKEN, DEPLOY, QUEUES, HEALTH,
        ROUTE_TEST, ROUTE_STATS
    }

    /** A command that takes none of the route arguments. */
    Command(Action action, URI gateway, String deviceId, String moduleId, String key, String manifest, Long ttlSeconds) {
        this(action, gateway, deviceId, moduleId, key, manifest, ttlSeconds, null, null);
    }
}
