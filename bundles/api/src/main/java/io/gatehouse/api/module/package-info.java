/**
 * Module runtimes: what the agent asks of whatever runs modules (host processes, containers, OSGi
 * bundles). Each runtime is a bundle that registers a {@link io.gatehouse.api.module.ModuleRuntime}
 * for its module type.
 */
@Export
@Version("1.1.0")
package io.gatehouse.api.module;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
