/**
 * Deployment contracts: the parts of a deployment manifest that bundles apply.
 */
@Export
@Version("1.1.0")
package io.gatehouse.api.deployment;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
