package io.gatehouse.cli;

import java.net.URI;

/**
 * One parsed command line: what to do, against which gateway, and its arguments (null when not
 * given or not used by that command). {@code ttlSeconds} is the validity of a token to print.
 */
record Command(Action action, URI gateway, String deviceId, String moduleId, String key, String manifest, Long ttlSeconds) {

    enum Action { HELP, IDENTITY_ADD, IDENTITY_LIST, IDENTITY_SHOW, IDENTITY_REMOVE, IDENTITY_TOKEN, DEPLOY, QUEUES, HEALTH }
}
