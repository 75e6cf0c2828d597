/**
 * Direct methods: a call to a connected device or module, answered with a status and a payload,
 * carried by whichever protocol head holds the target's connection.
 */
@Export
@Version("1.1.0")
package io.gatehouse.api.method;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
