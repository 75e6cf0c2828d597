/**
 * Device and module twins: desired and reported properties with their {@code $version}, kept on
 * the gateway so that they work offline, and the whiteboard through which desired changes reach
 * connected clients.
 */
@Export
@Version("1.0.0")
package io.gatehouse.api.twin;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
