/**
 * The agent as operators and the management API see it: reported state, logs and restarts of the
 * modules it runs.
 */
@Export
@Version("1.0.0")
package io.gatehouse.api.agent;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
