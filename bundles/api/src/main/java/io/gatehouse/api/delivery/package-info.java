/** What every deliverer (module inputs, upstream) shares: how it retries after a transient failure. */
@Export
@Version("1.0.0")
package io.gatehouse.api.delivery;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
